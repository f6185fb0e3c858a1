'use client';
import { useTranslations } from 'next-intl';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';
import { formatScore } from '@/lib/format';
import type { ScoreboardChangedSubscription } from '@/lib/graphql.generated';
import { SCOREBOARD_CHANGED } from '@/lib/queries';
import { coalesce, describeChange, mergeRow, type RowChange } from '@/lib/scoreboard';
import type { ScoreboardRow } from '@/lib/types';

const REFETCH_AFTER_MS = 1200;
const ANNOUNCE_AFTER_MS = 1500;
const FLASH_MS = 2000;

interface LiveEvents {
  seq: number;
  events: { seq: number; row: ScoreboardRow }[];
}

/** The scoreboard's rows kept live, what just changed and what the live region says. */
export interface LiveScoreboard {
  rows: ScoreboardRow[];
  flashing: Set<string>;
  announcement: string;
}

/**
 * Follows a lab's scoreboard live (shaped like useLiveRun): starts from the rows the server
 * rendered, patches a row as soon as the `scoreboardChanged` subscription pushes it (with a filter
 * on, only rows already shown), flashes it, summarises each burst once in the polite live region,
 * and calls `refresh` shortly after a burst (charts, totals and the filter's matches come from the
 * server again).
 */
export function useLiveScoreboard(
  labId: string,
  initial: ScoreboardRow[],
  filtered: boolean,
  refresh: () => void,
): LiveScoreboard {
  const t = useTranslations('scoreboard');
  const [rows, setRows] = useState<ScoreboardRow[]>(initial);
  useEffect(() => setRows(initial), [initial]);

  const [live] = useSubscription<ScoreboardChangedSubscription, LiveEvents>(
    { query: SCOREBOARD_CHANGED, variables: { labId } },
    (prev, event) => {
      const seq = (prev?.seq ?? 0) + 1;
      return { seq, events: [...(prev?.events ?? []).slice(-500), { seq, row: event.scoreboardChanged }] };
    },
  );
  const seen = useRef(0);
  const pendingAnnounce = useRef<{ enrollmentId: string; change: RowChange }[]>([]);
  const [announcement, setAnnouncement] = useState('');
  const [flashing, setFlashing] = useState<Set<string>>(new Set());
  const refetchTimer = useRef<number | undefined>(undefined);
  const announceTimer = useRef<number | undefined>(undefined);

  // A layout effect: the patched rows render before the browser paints the subscription's update
  // (a passive effect waited for that paint, a frame or more per event).
  useLayoutEffect(() => {
    const fresh = (live.data?.events ?? []).filter((e) => e.seq > seen.current);
    if (fresh.length === 0) return;
    seen.current = fresh[fresh.length - 1]?.seq ?? seen.current;
    setRows((cur) => {
      let next = cur;
      for (const { row } of fresh) {
        const known = next.some((r) => r.enrollment.id === row.enrollment.id);
        if (known || !filtered) next = mergeRow(next, row);
      }
      return next;
    });
    const ids = fresh.map((e) => e.row.enrollment.id);
    setFlashing((cur) => new Set([...cur, ...ids]));
    window.setTimeout(
      () => setFlashing((cur) => new Set([...cur].filter((id) => !ids.includes(id)))),
      FLASH_MS,
    );
    pendingAnnounce.current.push(
      ...fresh.map((e) => ({ enrollmentId: e.row.enrollment.id, change: describeChange(e.row) })),
    );
    window.clearTimeout(announceTimer.current);
    announceTimer.current = window.setTimeout(() => {
      const changes = coalesce(pendingAnnounce.current);
      pendingAnnounce.current = [];
      const names = changes
        .slice(0, 5)
        .map((c) =>
          c.running
            ? t('announceRunning', { name: c.name })
            : t('announceScore', { name: c.name, score: formatScore(c.score, c.maxScore) }),
        )
        .join(', ');
      setAnnouncement(t('announce', { count: changes.length, names, more: Math.max(0, changes.length - 5) }));
    }, ANNOUNCE_AFTER_MS);
    window.clearTimeout(refetchTimer.current);
    refetchTimer.current = window.setTimeout(refresh, REFETCH_AFTER_MS);
  }, [live.data, filtered, refresh, t]);
  useEffect(
    () => () => {
      window.clearTimeout(refetchTimer.current);
      window.clearTimeout(announceTimer.current);
    },
    [],
  );

  return { rows, flashing, announcement };
}
