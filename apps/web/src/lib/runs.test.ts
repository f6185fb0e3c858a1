import { describe, expect, it } from 'vitest';
import { newerRun, runToFollow } from './runs';
import type { CheckStatus, GradingRun, RunStatus } from './types';

function run(
  status: RunStatus,
  checks: CheckStatus[],
  id = 'r1',
  queuedAt = '2026-11-25T10:00:00Z',
): GradingRun {
  return {
    id,
    lab: { id: 'lab', title: { zh: '实验', en: 'Lab' } },
    namespace: 'ns',
    student: null,
    trigger: 'STUDENT',
    status,
    score: null,
    maxScore: 10,
    disruptive: true,
    queuedAt,
    startedAt: null,
    finishedAt: null,
    errorDetail: null,
    labVersion: null,
    graderVersion: null,
    queuePosition: null,
    estimatedWaitSeconds: null,
    checks: checks.map((status, i) => ({
      checkId: `c${i}`,
      title: { zh: `检查${i}`, en: `check ${i}` },
      status,
      points: 0,
      maxPoints: 2,
      message: null,
      messageKey: null,
      messageText: null,
      hint: null,
      evidence: null,
      durationMs: null,
      finishedAt: null,
    })),
  };
}

describe('newerRun', () => {
  it('keeps the further-along version when a stale poll arrives after a pushed event', () => {
    const pushed = run('RUNNING', ['PASS', 'RUNNING', 'PENDING']);
    const stalePoll = run('RUNNING', ['RUNNING', 'PENDING', 'PENDING']);
    expect(newerRun(pushed, stalePoll)).toBe(pushed);
    const finished = run('FAILED', ['PASS', 'FAIL', 'SKIPPED']);
    expect(newerRun(pushed, finished)).toBe(finished);
    expect(newerRun(finished, run('QUEUED', ['PENDING', 'PENDING', 'PENDING']))).toBe(finished);
  });

  it('switches to a newer run but not back to an older one', () => {
    const old = run('PASSED', ['PASS']);
    const fresh = run('QUEUED', ['PENDING'], 'r2', '2026-11-25T10:05:00Z');
    expect(newerRun(old, fresh)).toBe(fresh);
    expect(newerRun(fresh, old)).toBe(fresh);
    expect(newerRun(null, fresh)).toBe(fresh);
  });
});

describe('runToFollow', () => {
  it('follows the newest run of the history only when it was queued after the one shown', () => {
    const shown = run('FAILED', ['PASS', 'FAIL'], 'old', '2026-11-25T10:00:00Z');
    const later = { id: 'new', queuedAt: '2026-11-25T10:05:00Z' };
    expect(runToFollow(shown, later)).toBe('new');
    expect(runToFollow(null, later)).toBe('new');
    expect(runToFollow(shown, { id: 'old', queuedAt: shown.queuedAt })).toBeNull();
    expect(runToFollow(shown, { id: 'older', queuedAt: '2026-11-25T09:00:00Z' })).toBeNull();
    expect(runToFollow(shown, undefined)).toBeNull();
  });
});
