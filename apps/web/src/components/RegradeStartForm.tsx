'use client';
import { useTranslations } from 'next-intl';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';
import { useMutation } from 'urql';
import type { PreviewRegradeMutation } from '@/lib/graphql.generated';
import { PREVIEW_REGRADE } from '@/lib/queries';
import { regradeQuery, type RegradeOptions } from '@/lib/regrade';
import { errorMessage } from './Feedback';
import { buttonClass } from './forms/fields';

/**
 * Starts a dry run of the students in `options` (the URL's). "Include the disruptive check" is the
 * URL's `?disruptive=1`, so a reload or a shared link keeps it; the confirmation that the dry run
 * deletes pods is only ever ticked here, by whoever starts it. The new preview is `?preview=`.
 */
export function RegradeStartForm({
  labId,
  hasDisruptive,
  options,
}: {
  labId: string;
  hasDisruptive: boolean;
  options: RegradeOptions;
}) {
  const t = useTranslations('regrade');
  const router = useRouter();
  const pathname = usePathname();
  const [, startTransition] = useTransition();
  const [disruptive, setDisruptive] = useState(options.disruptive);
  // The URL changed by itself (back, forward): the box follows it.
  useEffect(() => setDisruptive(options.disruptive), [options.disruptive]);
  const [confirm, setConfirm] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [startState, start] = useMutation<PreviewRegradeMutation>(PREVIEW_REGRADE);
  const selected = options.enrollments;
  return (
    <form
      className="space-y-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setStartError(null);
        const res = await start(
          selected.length
            ? { labId, enrollmentIds: selected, disruptive, confirmDisruptive: confirm }
            : { labId, all: true, disruptive, confirmDisruptive: confirm },
        );
        if (res.error) setStartError(errorMessage(res.error));
        else
          router.push(
            `${pathname}${regradeQuery({ ...options, disruptive, preview: res.data!.previewRegrade.id })}`,
          );
      }}
    >
      {hasDisruptive && (
        <>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={disruptive}
              onChange={(e) => {
                const next = e.target.checked;
                setDisruptive(next);
                startTransition(() =>
                  router.replace(`${pathname}${regradeQuery({ ...options, disruptive: next })}`, {
                    scroll: false,
                  }),
                );
              }}
              data-testid="include-disruptive"
            />
            {t('includeDisruptive')}
          </label>
          {disruptive && (
            <label className="flex items-center gap-2 text-sm font-medium text-amber-900">
              <input type="checkbox" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
              {t('confirmDisruptive')}
            </label>
          )}
        </>
      )}
      <button
        type="submit"
        disabled={startState.fetching || (disruptive && !confirm)}
        className={buttonClass.primary}
      >
        {t('startButton')}
      </button>
      {startError && (
        <p role="alert" className="text-red-900">
          {startError}
        </p>
      )}
    </form>
  );
}
