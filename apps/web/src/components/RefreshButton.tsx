'use client';
import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { buttonClass } from './forms/fields';
import { useHydrated } from './useHydrated';

/** Renders the server component page again (fresh data from the api) without a full reload. */
export function RefreshButton({ label }: { label: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  // Before hydration a click would do nothing, so the buttons wait for it.
  const hydrated = useHydrated();
  return (
    <button
      type="button"
      onClick={() => startTransition(() => router.refresh())}
      disabled={pending || !hydrated}
      aria-busy={pending}
      className={buttonClass.secondary}
    >
      {label}
    </button>
  );
}
