'use client';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useTransition } from 'react';
import { useSubscription } from 'urql';
import { SCOREBOARD_CHANGED } from '@/lib/queries';
import { useOnReconnect } from '@/lib/urql';

/**
 * Class insight's live part, which renders nothing: each finished run on the lab's scoreboard topic
 * (a genuine push, so a subscription rather than a poll) renders the server page again with
 * router.refresh(), at most every 2 s; so does a reconnect of the socket (events may have been missed).
 */
export function InsightLive({ labId }: { labId: string }) {
  const router = useRouter();
  const [, startTransition] = useTransition();
  const refresh = useCallback(() => startTransition(() => router.refresh()), [router]);
  useOnReconnect(refresh);
  const [sub] = useSubscription({ query: SCOREBOARD_CHANGED, variables: { labId } });
  const last = useRef(0);
  useEffect(() => {
    if (!sub.data) return;
    const wait = Math.max(0, 2000 - (Date.now() - last.current));
    const timer = setTimeout(() => {
      last.current = Date.now();
      refresh();
    }, wait);
    return () => clearTimeout(timer);
  }, [sub.data, refresh]);
  return null;
}
