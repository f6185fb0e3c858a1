'use client';
import { useEffect, useState } from 'react';
import { useClient, useSubscription, type Client } from 'urql';
import { RUN, RUN_PROGRESS } from '@/lib/queries';
import { newerRun } from '@/lib/runs';
import { isActive, type GradingRun } from '@/lib/types';

const POLL_MS = 3000;

/** A run as the api has it now (not from urql's cache); null when it is gone or not the viewer's. */
export async function fetchRun(client: Client, id: string): Promise<GradingRun | null> {
  const res = await client
    .query<{ run: GradingRun | null }>(RUN, { id }, { requestPolicy: 'network-only' })
    .toPromise();
  return res.data?.run ?? null;
}

/**
 * Follows a run live: pushed progress over the subscription, plus a slow poll while it is queued
 * or running (for the queue position, and in case the socket missed the last events).
 */
export function useLiveRun(initial: GradingRun | null): GradingRun | null {
  const client = useClient();
  const [run, setRun] = useState<GradingRun | null>(initial);

  useEffect(() => {
    if (initial) setRun((cur) => newerRun(cur, initial));
    else setRun(null);
  }, [initial]);

  const runId = run?.id ?? '';
  const active = isActive(run);
  const [sub] = useSubscription<{ runProgress: { run: GradingRun } }>({
    query: RUN_PROGRESS,
    variables: { runId },
    pause: !active,
  });

  useEffect(() => {
    const pushed = sub.data?.runProgress.run;
    if (pushed) setRun((cur) => newerRun(cur, pushed));
  }, [sub.data]);

  useEffect(() => {
    if (!active || !runId) return;
    const id = window.setInterval(() => {
      void fetchRun(client, runId).then((polled) => {
        if (polled) setRun((cur) => newerRun(cur, polled));
      });
    }, POLL_MS);
    return () => window.clearInterval(id);
  }, [active, runId, client]);

  return run;
}
