'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { memo, useState } from 'react';
import { useMutation } from 'urql';
import { pick } from '@/i18n/locales';
import type { RegradeMutation, RegradeMutationVariables } from '@/lib/graphql.generated';
import { REGRADE } from '@/lib/queries';
import type { Lab, ScoreboardRow } from '@/lib/types';
import { ConfirmDialog } from './ConfirmDialog';
import { errorMessage } from './Feedback';
import { buttonClass } from './forms/fields';

/** Whom a regrade is for: one row's student, the selected rows, or everyone in the lab. */
export type RegradeTarget =
  { kind: 'one'; row: ScoreboardRow } | { kind: 'selected'; ids: string[] } | { kind: 'all' };

/**
 * The scoreboard's regrade controls: the non-disruptive switch, "regrade selected / everyone", the
 * link to a regrade preview, and the confirmation. `target` is open while the dialog asks (the
 * table's per-row button sets it too); `onQueued` runs after the api queued the runs.
 */
export const RegradeBar = memo(function RegradeBar({
  lab,
  total,
  selectedIds,
  target,
  onTarget,
  onQueued,
}: {
  lab: Lab;
  total: number;
  selectedIds: string[];
  target: RegradeTarget | null;
  onTarget: (target: RegradeTarget | null) => void;
  onQueued: (target: RegradeTarget) => void;
}) {
  const t = useTranslations('scoreboard');
  const locale = useLocale();
  const labId = lab.id;
  const [nonDisruptive, setNonDisruptive] = useState(true);
  const [regradeState, regrade] = useMutation<RegradeMutation, RegradeMutationVariables>(REGRADE);
  const [regradeNotice, setRegradeNotice] = useState<string | null>(null);
  const [regradeError, setRegradeError] = useState<string | null>(null);

  async function confirmRegrade() {
    if (!target) return;
    setRegradeError(null);
    const vars =
      target.kind === 'all'
        ? { labId, all: true, disruptive: !nonDisruptive }
        : {
            labId,
            enrollmentIds: target.kind === 'one' ? [target.row.enrollment.id] : target.ids,
            all: false,
            disruptive: !nonDisruptive,
          };
    const res = await regrade(vars);
    onTarget(null);
    if (res.error) return setRegradeError(errorMessage(res.error));
    if (res.data)
      setRegradeNotice(
        t('regradeQueued', { runs: res.data.regrade.runs.length, joined: res.data.regrade.joined }),
      );
    onQueued(target);
  }

  const targetCount = !target
    ? 0
    : target.kind === 'one'
      ? 1
      : target.kind === 'selected'
        ? target.ids.length
        : 0;
  const disruptiveCheck = lab.checks.find((c) => c.disruptive);

  return (
    <>
      <div className="flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white p-4">
        <label className="inline-flex items-center gap-2 text-sm font-medium">
          <input
            type="checkbox"
            className="h-4 w-4"
            checked={nonDisruptive}
            onChange={(e) => setNonDisruptive(e.target.checked)}
          />
          {t('nonDisruptive')}
        </label>
        <span className="text-sm text-slate-600">{t('nonDisruptiveHelp')}</span>
        <div className="ml-auto flex flex-wrap gap-2">
          <button
            type="button"
            className={buttonClass.secondary}
            disabled={selectedIds.length === 0}
            onClick={() => onTarget({ kind: 'selected', ids: selectedIds })}
          >
            {t('regradeSelected', { count: selectedIds.length })}
          </button>
          <button
            type="button"
            className={buttonClass.primary}
            onClick={() => onTarget({ kind: 'all' })}
            disabled={total === 0}
          >
            {t('regradeAll')}
          </button>
          <Link
            className={buttonClass.secondary}
            href={`/labs/${encodeURIComponent(labId)}/regrade${selectedIds.length ? `?enrollments=${encodeURIComponent(selectedIds.join(','))}` : ''}`}
            data-testid="preview-regrade"
          >
            {selectedIds.length
              ? t('previewRegradeSelected', { count: selectedIds.length })
              : t('previewRegradeAll')}
          </Link>
        </div>
        {regradeNotice && (
          <p role="status" className="w-full text-sm text-green-900">
            {regradeNotice}
          </p>
        )}
        {regradeError && (
          <p role="alert" className="w-full text-sm text-red-900">
            {regradeError}
          </p>
        )}
      </div>

      <ConfirmDialog
        open={target !== null}
        title={
          target?.kind === 'one'
            ? t('confirmTitleOne', { name: target.row.student.name })
            : target?.kind === 'all'
              ? t('confirmTitleAll')
              : t('confirmTitle', { count: targetCount })
        }
        confirmLabel={target?.kind === 'all' ? t('regradeAll') : t('confirmRegrade', { count: targetCount })}
        danger={!nonDisruptive}
        busy={regradeState.fetching}
        onConfirm={confirmRegrade}
        onCancel={() => onTarget(null)}
      >
        <p>
          {nonDisruptive
            ? t('confirmNonDisruptive')
            : t('confirmDisruptive', {
                check: disruptiveCheck ? pick(disruptiveCheck.title, locale) : t('podDeleteCheck'),
              })}
        </p>
        {!lab.disruptiveEnabled && <p className="text-sm text-slate-700">{t('disruptiveOffForLab')}</p>}
      </ConfirmDialog>
    </>
  );
});
