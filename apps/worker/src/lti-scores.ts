// LTI Assignment and Grade Services: posts a student's counted lab score to the line item of the
// resource link they launched, with a token from the platform (ltiServiceToken in @kubegrade/db),
// and sends an `application/vnd.ims.lis.v1.score+json` score with
// activityProgress Completed and gradingProgress FullyGraded. Each attempt is logged on its
// LtiScorePush row; failures are retried by pg-boss like event deliveries.
import { ltiServiceToken, type PrismaClient } from '@kubegrade/db';

/** The AGS scope a score needs. */
export const AGS_SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

/** The line item's scores URL: `/scores` appended to its path, its query kept. */
export function scoresUrl(lineItem: string): string {
  const u = new URL(lineItem);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/scores`;
  return u.toString();
}

/** Sends one passback; throws when it should be retried. `final`: no retry follows a failure. */
export async function pushScoreOnce(
  db: PrismaClient,
  key: Buffer,
  pushId: string,
  final: boolean,
  timeoutMs = 10_000,
): Promise<'sent' | 'failed' | 'retrying' | 'gone'> {
  const push = await db.ltiScorePush.findUnique({
    where: { id: pushId },
    include: { gradeLink: { include: { identity: { include: { platform: true } } } } },
  });
  if (!push) return 'gone';
  const { gradeLink } = push;
  const { identity } = gradeLink;
  const platform = identity.platform;
  let statusCode: number | null = null;
  let error: string | null = null;
  let scoreGiven: number | null = null;
  let scoreMaximum: number | null = null;
  try {
    // The counted score as the scoreboard has it now (policy, late deduction, adjustments).
    const [entry] = await db.$queryRaw<{ finalScore: number | null; maxScore: number | null }[]>`
      SELECT se."finalScore", coalesce(cr."maxScore", lr."maxScore") AS "maxScore"
        FROM "Enrollment" e
        JOIN "ScoreboardEntry" se ON se."enrollmentId" = e."id" AND se."labId" = ${gradeLink.labId}
        LEFT JOIN "GradingRun" cr ON cr."id" = se."countedRunId"
        LEFT JOIN "GradingRun" lr ON lr."id" = ${push.runId}
       WHERE e."userId" = ${identity.userId} AND e."courseId" = ${platform.courseId}`;
    if (entry?.finalScore == null || entry.maxScore == null)
      throw new Error('no counted score for this lab yet');
    scoreGiven = Number(entry.finalScore);
    scoreMaximum = Number(entry.maxScore);
    const token = await ltiServiceToken(db, key, platform, [AGS_SCORE_SCOPE], timeoutMs);
    const res = await fetch(scoresUrl(gradeLink.lineItemUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.ims.lis.v1.score+json' },
      body: JSON.stringify({
        userId: identity.subject,
        scoreGiven,
        scoreMaximum,
        activityProgress: 'Completed',
        gradingProgress: 'FullyGraded',
        timestamp: new Date().toISOString(),
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    statusCode = res.status;
    if (!res.ok) error = `HTTP ${res.status}: ${(await res.text().catch(() => '')).slice(0, 300)}`;
  } catch (err) {
    error = (err as Error).message;
  }
  const status = error === null ? 'sent' : final ? 'failed' : 'retrying';
  await db.ltiScorePush.update({
    where: { id: push.id },
    data: {
      status,
      statusCode,
      error,
      scoreGiven,
      scoreMaximum,
      ...(error === null ? { sentAt: new Date() } : {}),
    },
  });
  if (status === 'retrying') throw new Error(`LTI score passback ${push.id} failed: ${error}`);
  return status;
}
