'use client';
import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { buttonClass } from './forms/fields';

/** Renders the server component page again (fresh data from the api) without a full reload. */
export function RefreshButton({ label }: { label: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <button
      type="button"
      onClick={() => startTransition(() => router.refresh())}
      disabled={pending}
      aria-busy={pending}
      className={buttonClass.secondary}
    >
      {label}
    </button>
  );
}
