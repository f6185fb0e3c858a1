'use client';
// A secret (an API token, a signing secret, a webhook's URL and secret) shown once, right after it
// is created or rotated: read-only fields, selected on focus, each with a copy button, and a "saved
// it" button that hides them.
import { CopyButton } from './CopyButton';
import { buttonClass } from './forms/fields';

/** One value in the box: its label and its data-testid. */
export interface SecretField {
  label: string;
  value: string;
  testId: string;
}

/** What the box shows: a heading naming the thing and its values (the secret last). */
export interface ShownSecret {
  title: string;
  fields: SecretField[];
}

export function SecretOnce({
  id,
  shown,
  notice,
  savedLabel,
  onDismiss,
}: {
  /** Prefix of the heading id and the box's test id (`<id>-secret`). */
  id: string;
  shown: ShownSecret;
  notice: string;
  savedLabel: string;
  onDismiss: () => void;
}) {
  return (
    <section
      aria-labelledby={`${id}-secret-heading`}
      className="space-y-3 rounded-lg border-2 border-amber-400 bg-amber-50 p-4"
      data-testid={`${id}-secret`}
    >
      <h2 id={`${id}-secret-heading`} className="font-bold">
        {shown.title}
      </h2>
      <p className="text-sm text-amber-950">{notice}</p>
      <div className="grid justify-items-start gap-2 sm:grid-cols-[max-content_minmax(0,36rem)_max-content] sm:items-center">
        {shown.fields.map((f) => (
          <div key={f.testId} className="contents">
            <span className="text-sm font-medium">{f.label}</span>
            <input
              readOnly
              value={f.value}
              aria-label={f.label}
              data-testid={f.testId}
              className="w-full rounded border border-slate-300 bg-white px-2 py-1 font-mono text-sm"
              onFocus={(e) => e.target.select()}
            />
            <CopyButton text={f.value} />
          </div>
        ))}
      </div>
      <button type="button" onClick={onDismiss} className={buttonClass.secondary}>
        {savedLabel}
      </button>
    </section>
  );
}
