'use client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/**
 * Renders the server component page again every `everyMs` while the tab is visible: for lists that
 * change on the server without a subscription (a delivery log). Client state (a half-filled form, a
 * secret being shown) survives it.
 */
export function AutoRefresh({ everyMs }: { everyMs: number }) {
  const router = useRouter();
  useEffect(() => {
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh();
    }, everyMs);
    return () => window.clearInterval(id);
  }, [router, everyMs]);
  return null;
}
