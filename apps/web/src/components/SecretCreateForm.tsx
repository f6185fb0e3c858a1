'use client';
// The "new …" form of a page with SecretActions around it: the name field and any other text fields
// (given as specs, their values kept here), other controls (children, after them in the same row;
// `below`, under it), the submit button and the form's own error. It runs the kind's create
// mutation; on success the secret is shown once and the server renders the page's list again.
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import { useMutation } from 'urql';
import { errorMessage } from './Feedback';
import { buttonClass, TextField } from './forms/fields';
import { useSecretActions } from './SecretActions';
import { SECRET_KINDS, shownSecret, type SecretKind, type SecretPayload } from './secret-kinds';

/** One text field of the form; `required` ones must be filled in (trimmed) before it submits. */
export interface TextSpec {
  key: string;
  label: string;
  controlClass: string;
  required?: boolean;
  /** The rest of the input's attributes (type, maxLength, min, placeholder…). */
  input?: InputHTMLAttributes<HTMLInputElement>;
  initial?: string;
  /** Keep the value after a create (the course of the next endpoint, a token's lifetime). */
  keep?: boolean;
}

const initialValues = (fields: TextSpec[]) => Object.fromEntries(fields.map((f) => [f.key, f.initial ?? '']));

export function SecretCreateForm({
  kind,
  fields: more = [],
  input,
  onCreated,
  children,
  below,
}: {
  kind: SecretKind;
  /** Text fields after the name. */
  fields?: TextSpec[];
  /** The create mutation's `input` from the text fields' values (trimmed), or a message for the form. */
  input: (values: Record<string, string>) => Record<string, unknown> | string;
  /** Clears what the caller keeps (checkboxes) after a create. */
  onCreated?: () => void;
  children?: ReactNode;
  below?: ReactNode;
}) {
  const t = useTranslations(kind);
  const router = useRouter();
  const { showSecret } = useSecretActions();
  const { box, create } = SECRET_KINDS[kind];
  const fields: TextSpec[] = [
    { key: 'name', label: t('name'), controlClass: 'w-64', required: true, input: { maxLength: 100 } },
    ...more,
  ];
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(fields));
  const [error, setError] = useState<string | null>(null);
  const [state, mutate] = useMutation<Record<string, SecretPayload>>(create.document);
  const value = (key: string) => values[key] ?? '';
  const filled = fields.every((f) => !f.required || value(f.key).trim() !== '');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const vars = input(Object.fromEntries(fields.map((f) => [f.key, value(f.key).trim()])));
    if (typeof vars === 'string') return setError(vars);
    const res = await mutate({ input: vars });
    const made = res.data?.[create.field];
    if (!made) return setError(errorMessage(res.error ?? 'no answer'));
    setValues((cur) => ({ ...cur, ...initialValues(fields.filter((f) => !f.keep)) }));
    onCreated?.();
    showSecret(shownSecret(kind, t, made));
    router.refresh();
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby={`${box}-create-heading`}
    >
      <h2 id={`${box}-create-heading`} className="text-lg font-semibold">
        {t('create')}
      </h2>
      <div className="flex flex-wrap items-end gap-4">
        {fields.map((f) => (
          <TextField
            key={f.key}
            id={`${box}-${f.key}`}
            label={f.label}
            controlClass={f.controlClass}
            required={f.required}
            {...f.input}
            value={value(f.key)}
            onChange={(e) => setValues((cur) => ({ ...cur, [f.key]: e.target.value }))}
          />
        ))}
        {children}
      </div>
      {below}
      <button type="submit" className={buttonClass.primary} disabled={!filled || state.fetching}>
        {t('createButton')}
      </button>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
    </form>
  );
}
