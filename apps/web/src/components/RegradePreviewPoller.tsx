'use client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/**
 * Renders nothing: while some dry runs of a preview are still grading (they finish one by one on the
 * worker, with no event to listen to), renders the server page again every 2 s (router.refresh).
 */
export function RegradePreviewPoller({ pending }: { pending: number }) {
  const router = useRouter();
  useEffect(() => {
    if (pending === 0) return;
    const timer = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(timer);
  }, [pending, router]);
  return null;
}
