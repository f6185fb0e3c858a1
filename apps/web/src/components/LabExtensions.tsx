'use client';
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type {
  LabSettingsQuery,
  RemoveExtensionMutation,
  RemoveExtensionMutationVariables,
  SetExtensionMutation,
  SetExtensionMutationVariables,
  StudentPickerQuery,
} from '@/lib/graphql.generated';
import { fromLocalInput } from '@/lib/local-time';
import { REMOVE_EXTENSION, SET_EXTENSION } from '@/lib/queries';
import { DataTable } from './DataTable';
import { errorMessage } from './Feedback';
import { buttonClass, SelectField, TextField } from './forms/fields';
import { useDateTime, useHydrated } from './useHydrated';

/**
 * The settings page's per-student extensions (the server's list) with "remove" and a form to set
 * one; both render the page again (`router.refresh()`) after the api took the change. The form's
 * fields are uncontrolled and read on submit, so what is typed before hydration is kept.
 */
export function LabExtensions({
  labId,
  extensions,
  students,
}: {
  labId: string;
  extensions: LabSettingsQuery['labExtensions'];
  /** The picker's students (the page leaves out staff). */
  students: StudentPickerQuery['enrollments'];
}) {
  const t = useTranslations('labSettings');
  const router = useRouter();
  const hydrated = useHydrated();
  const dateTime = useDateTime();
  const [error, setError] = useState<string | null>(null);
  const [setState, setExtension] = useMutation<SetExtensionMutation, SetExtensionMutationVariables>(
    SET_EXTENSION,
  );
  const [removeState, removeExtension] = useMutation<
    RemoveExtensionMutation,
    RemoveExtensionMutationVariables
  >(REMOVE_EXTENSION);

  async function remove(enrollmentId: string) {
    setError(null);
    const res = await removeExtension({ labId, enrollmentId });
    if (res.error) return setError(errorMessage(res.error));
    router.refresh();
  }

  async function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const formElement = e.currentTarget;
    const form = new FormData(formElement);
    const enrollmentId = String(form.get('enrollmentId') ?? '');
    const iso = fromLocalInput(String(form.get('dueAt') ?? ''));
    const reason = String(form.get('reason') ?? '');
    if (!enrollmentId || !iso) return;
    const res = await setExtension({ labId, enrollmentId, dueAt: iso, reason: reason || null });
    if (res.error) return setError(errorMessage(res.error));
    const reasonInput = formElement.elements.namedItem('reason');
    if (reasonInput instanceof HTMLInputElement) reasonInput.value = '';
    router.refresh();
  }

  return (
    <div className="space-y-4">
      {extensions.length === 0 ? (
        <p className="text-slate-700">{t('noExtensions')}</p>
      ) : (
        <DataTable label={t('extensions')} testId="extensions">
          <thead className="bg-slate-100">
            <tr>
              <th scope="col" className="px-3 py-1.5">
                {t('student')}
              </th>
              <th scope="col" className="px-3 py-1.5">
                {t('dueAt')}
              </th>
              <th scope="col" className="px-3 py-1.5">
                {t('reason')}
              </th>
              <th scope="col" className="px-3 py-1.5">
                <span className="sr-only">{t('remove')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {extensions.map((x) => (
              <tr key={x.enrollment.id} className="border-t border-slate-200">
                <th scope="row" className="px-3 py-1.5 font-normal">
                  {x.enrollment.user.name} (<code className="font-mono">{x.enrollment.namespace}</code>)
                </th>
                <td className="px-3 py-1.5">{dateTime(x.dueAt)}</td>
                <td className="px-3 py-1.5">{x.reason ?? '—'}</td>
                <td className="px-3 py-1.5">
                  <button
                    type="button"
                    className="text-red-800 underline disabled:text-slate-500"
                    disabled={!hydrated || removeState.fetching}
                    onClick={() => remove(x.enrollment.id)}
                  >
                    {t('remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      <form className="flex flex-wrap items-end gap-3" onSubmit={add}>
        <SelectField
          id="extStudent"
          name="enrollmentId"
          label={t('student')}
          controlClass="w-auto max-w-full"
          required
          defaultValue=""
        >
          <option value="">—</option>
          {students.map((s) => (
            <option key={s.id} value={s.id}>
              {s.user.name} ({s.namespace})
            </option>
          ))}
        </SelectField>
        <TextField id="extDueAt" name="dueAt" type="datetime-local" label={t('extensionDueAt')} />
        <div className="min-w-48 flex-1">
          <TextField id="extReason" name="reason" label={t('reason')} maxLength={500} />
        </div>
        <button type="submit" disabled={!hydrated || setState.fetching} className={buttonClass.primary}>
          {t('addExtension')}
        </button>
      </form>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
    </div>
  );
}
