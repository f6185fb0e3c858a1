'use client';
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { CreateLtiPlatformMutation, CreateLtiPlatformMutationVariables } from '@/lib/graphql.generated';
import { CREATE_LTI_PLATFORM } from '@/lib/queries';
import { errorMessage } from './Feedback';
import { buttonClass, TextField } from './forms/fields';
import { useHydrated } from './useHydrated';

const FIELDS = [
  'name',
  'course',
  'issuer',
  'clientId',
  'deploymentId',
  'authLoginUrl',
  'authTokenUrl',
  'jwksUrl',
] as const;

/**
 * The LTI page's "register a platform" form. Its fields are uncontrolled and read on submit (what is
 * typed before hydration is kept; the button waits for hydration); a registration renders the page
 * again (`router.refresh()`), so the new platform's card and URLs appear above.
 */
export function LtiRegisterForm() {
  const t = useTranslations('lti');
  const router = useRouter();
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [state, create] = useMutation<CreateLtiPlatformMutation, CreateLtiPlatformMutationVariables>(
    CREATE_LTI_PLATFORM,
  );

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const form = new FormData(e.currentTarget);
    const value = (name: (typeof FIELDS)[number]) => String(form.get(name) ?? '').trim();
    const res = await create({
      input: {
        name: value('name'),
        courseSlug: value('course'),
        issuer: value('issuer'),
        clientId: value('clientId'),
        deploymentId: value('deploymentId'),
        authLoginUrl: value('authLoginUrl'),
        authTokenUrl: value('authTokenUrl'),
        jwksUrl: value('jwksUrl'),
      },
    });
    if (res.error) return setError(errorMessage(res.error));
    router.refresh();
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby="lti-register-heading"
    >
      <h2 id="lti-register-heading" className="text-lg font-semibold">
        {t('register')}
      </h2>
      <div className="grid gap-3 md:grid-cols-2">
        {FIELDS.map((f) => (
          <TextField key={f} id={`lti-${f}`} name={f} label={t(f)} required maxLength={2000} />
        ))}
      </div>
      <button type="submit" className={buttonClass.primary} disabled={!hydrated || state.fetching}>
        {t('registerButton')}
      </button>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
    </form>
  );
}
