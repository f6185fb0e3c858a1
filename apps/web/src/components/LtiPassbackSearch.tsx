'use client';
import { useTranslations } from 'next-intl';
import { usePathname, useRouter } from 'next/navigation';
import { useState, useTransition, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { PushLtiScoreMutation, PushLtiScoreMutationVariables } from '@/lib/graphql.generated';
import { PUSH_LTI_SCORE } from '@/lib/queries';
import { errorMessage } from './Feedback';
import { buttonClass, TextField } from './forms/fields';
import { useHydrated } from './useHydrated';

/**
 * The LTI page's grade passback lookup. The student and lab are the URL's (`?student=&lab=`), so a
 * reload or a shared link shows the same log; the page looks them up on the server. The form is a
 * plain GET form (it works before hydration too) that, once hydrated, writes the URL with
 * `router.replace`. "Push now" (offered once the page found the student) sends the counted score and
 * renders the page again, so the log shows the new push.
 */
export function LtiPassbackSearch({
  student,
  lab,
  enrollmentId,
}: {
  student: string;
  lab: string;
  /** The enrollment the page found for `student`, if any. */
  enrollmentId: string | null;
}) {
  const t = useTranslations('lti');
  const router = useRouter();
  const pathname = usePathname();
  const hydrated = useHydrated();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [pushState, push] = useMutation<PushLtiScoreMutation, PushLtiScoreMutationVariables>(PUSH_LTI_SCORE);

  function show(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const form = new FormData(e.currentTarget);
    const next = {
      student: String(form.get('student') ?? '').trim(),
      lab: String(form.get('lab') ?? '').trim(),
    };
    startTransition(() => {
      // The same lookup again is a fresh look at the log.
      if (next.student === student && next.lab === lab) router.refresh();
      else router.replace(`${pathname}?${new URLSearchParams(next).toString()}`, { scroll: false });
    });
  }

  async function pushNow() {
    if (!enrollmentId) return;
    setError(null);
    const res = await push({ enrollmentId, labId: lab });
    if (res.error) return setError(errorMessage(res.error));
    startTransition(() => router.refresh());
  }

  return (
    <>
      <form method="get" onSubmit={show} className="flex flex-wrap items-end gap-3" aria-busy={pending}>
        <TextField
          id="lti-student"
          name="student"
          label={t('student')}
          required
          defaultValue={student}
          placeholder={t('search')}
        />
        <TextField
          id="lti-lab"
          name="lab"
          label={t('lab')}
          controlClass="w-full font-mono"
          required
          defaultValue={lab}
        />
        <button type="submit" className={buttonClass.secondary} disabled={pending}>
          {t('show')}
        </button>
        {enrollmentId && (
          <button
            type="button"
            className={buttonClass.primary}
            disabled={!hydrated || pending || pushState.fetching}
            onClick={pushNow}
          >
            {t('pushNow')}
          </button>
        )}
      </form>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
    </>
  );
}
