// One job off the queue, start to end: a 'grade' job (load the run and its lab, begin an attempt,
// grade it, carry out the next step) and a 'grade-preview' job (a dry run stored on the preview item).
import {
  GRADE_QUEUE,
  beginAttempt,
  errorRun,
  finishRun,
  labMaxScore,
  recordPreviewResult,
  requeueRun,
  type CooldownConfig,
  type GradeJobData,
  type PreviewJobData,
} from '@kubegrade/db';
import { GRADER_VERSION, grade, planChecks } from '@kubegrade/grader';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { leaseMs, runAttempt, type AttemptContext } from './attempt.ts';
import { readLab } from './lab.ts';
import { errorSummary, nextStep } from './steps.ts';

/** What a job needs from its worker. */
export interface JobContext extends AttemptContext {
  queue: PgBoss;
  /** The cooldown bucket's settings, for refunds on infrastructure errors. */
  cooldown: CooldownConfig;
  log: Logger;
}

/** Grades one job. Completes or fails the job itself, so pg-boss's own completion is a no-op. */
export async function handleGradeJob(
  ctx: JobContext,
  job: PgBoss.JobWithMetadata<GradeJobData>,
): Promise<void> {
  const { prisma, queue, cooldown } = ctx;
  const runId = job.data.runId;
  const runLog = ctx.log.child({ runId, jobId: job.id, try: job.retryCount + 1 });
  const run = await prisma.gradingRun.findUnique({ where: { id: runId }, include: { lab: true } });
  if (!run || (run.status !== 'QUEUED' && run.status !== 'RUNNING')) {
    runLog.info({ status: run?.status ?? 'missing' }, 'run is no longer waiting; skipping its job');
    await queue.complete(GRADE_QUEUE, job.id);
    return;
  }
  const parsed = readLab(run.lab);
  if (!parsed.ok) {
    runLog.error({ detail: parsed.detail }, 'cannot grade');
    await errorRun(prisma, runId, null, parsed.detail, cooldown);
    await queue.complete(GRADE_QUEUE, job.id);
    return;
  }
  const lab = parsed.lab;
  const plan = planChecks(lab);
  const position = new Map(lab.checks.map((c, i) => [c.id, i]));
  const attempt = await beginAttempt(
    prisma,
    runId,
    job.id,
    plan.map((c) => ({ id: c.id, position: position.get(c.id) ?? 0, maxPoints: c.points })),
    { labVersion: lab.version, graderVersion: GRADER_VERSION, maxScore: labMaxScore(plan) },
  );
  if (!attempt) {
    await queue.complete(GRADE_QUEUE, job.id);
    return;
  }
  const disruptive = run.disruptive && run.lab.disruptiveEnabled;
  runLog.info(
    { namespace: run.namespace, labId: run.labId, attempt: attempt.attempt, disruptive },
    'grading',
  );
  const started = Date.now();
  const outcome = await runAttempt(ctx, attempt, { lab, namespace: run.namespace, disruptive }, job, runLog);
  const elapsedMs = Date.now() - started;

  const step = nextStep(outcome, {
    attempt: attempt.attempt,
    retryCount: job.retryCount,
    retryLimit: job.retryLimit,
  });
  switch (step.kind) {
    case 'release':
      await requeueRun(prisma, attempt, step.note);
      await queue.fail(GRADE_QUEUE, job.id, { message: 'released on worker shutdown' });
      runLog.info('released on shutdown');
      return;
    case 'leave':
      // 'lost': another attempt owns the run now; the job is theirs too.
      if (step.reason === 'cancelled') runLog.info('cancelled while grading');
      else runLog.warn({ reason: step.reason }, 'stopped: this attempt no longer owns the run');
      return;
    case 'retry':
      await requeueRun(prisma, attempt, step.note);
      await queue.fail(GRADE_QUEUE, job.id, { message: step.detail });
      runLog.warn({ detail: step.detail, elapsedMs }, 'infrastructure error; will retry');
      return;
    case 'error':
      await errorRun(prisma, runId, attempt.attempt, step.note, cooldown);
      await queue.complete(GRADE_QUEUE, job.id, { status: 'error' });
      runLog.error(
        { detail: step.detail, elapsedMs },
        'infrastructure error; no retries left, run ends ERROR (token refunded)',
      );
      return;
    case 'finish': {
      const { result } = step;
      const ok = await finishRun(prisma, attempt, {
        status: step.status,
        score: result.score,
        maxScore: result.maxScore,
        checks: result.checks,
      });
      if (ok) await queue.complete(GRADE_QUEUE, job.id, { status: result.status, score: result.score });
      runLog.info(
        { status: result.status, score: result.score, maxScore: result.maxScore, elapsedMs, recorded: ok },
        'graded',
      );
    }
  }
}

/**
 * A regrade preview's dry run: grades the namespace against the lab as it is now and stores the
 * outcome on the preview item only (recordPreviewResult): no run, no check rows, no score.
 */
export async function handlePreviewJob(
  ctx: JobContext,
  job: PgBoss.JobWithMetadata<PreviewJobData>,
): Promise<void> {
  const { prisma } = ctx;
  const { previewId, enrollmentId } = job.data;
  const item = await prisma.regradePreviewItem.findUnique({
    where: { previewId_enrollmentId: { previewId, enrollmentId } },
    include: { preview: true },
  });
  if (!item || item.status !== 'QUEUED') return;
  const fail = (error: string) =>
    recordPreviewResult(prisma, previewId, enrollmentId, {
      status: 'ERROR',
      error,
      graderVersion: GRADER_VERSION,
    });
  const row = await prisma.lab.findUnique({ where: { id: item.preview.labId } });
  if (!row) return void (await fail(`lab ${item.preview.labId} no longer exists`));
  const parsed = readLab(row);
  if (!parsed.ok) return void (await fail(parsed.detail));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort('lease'), leaseMs(job));
  try {
    const result = await grade({
      lab: parsed.lab,
      namespace: item.namespace,
      kubeConfig: ctx.kubeConfig,
      disruptive: item.preview.disruptive && row.disruptiveEnabled,
      timeMultiplier: ctx.timeMultiplier,
      signal: controller.signal,
    });
    if (result.status === 'error') await fail(errorSummary(result));
    else
      await recordPreviewResult(prisma, previewId, enrollmentId, {
        status: 'DONE',
        runStatus: result.status,
        score: result.score,
        maxScore: result.maxScore,
        graderVersion: GRADER_VERSION,
        checks: result.checks,
      });
    ctx.log.info(
      { previewId, namespace: item.namespace, status: result.status, score: result.score },
      'dry run graded (preview only, nothing recorded)',
    );
  } catch (err) {
    await fail(`the dry run failed: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
