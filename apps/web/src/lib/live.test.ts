import { describe, expect, it } from 'vitest';
import { changedChecks, shownStatus, type LiveCheck } from './live';

const check = (checkId: string, status: LiveCheck['status']): LiveCheck => ({
  checkId,
  status,
  title: { zh: checkId, en: checkId },
  message: '',
  messageText: { zh: '', en: '' },
  hint: null,
});

describe('live panel rules', () => {
  it('shows a live view the engine stopped confirming as paused, never as live', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(shownStatus({ status: 'LIVE', confirmedAt: '2026-12-01T11:59:30Z' }, now)).toBe('LIVE');
    expect(shownStatus({ status: 'LIVE', confirmedAt: '2026-12-01T11:58:00Z' }, now)).toBe('PAUSED');
    expect(shownStatus({ status: 'PAUSED', confirmedAt: '2026-12-01T11:59:59Z' }, now)).toBe('PAUSED');
  });

  it('announces only the checks that flipped, not the first state', () => {
    expect(changedChecks(null, [check('a', 'PASS')])).toEqual([]);
    const before = new Map([
      ['a', 'FAIL' as const],
      ['b', 'PASS' as const],
    ]);
    expect(changedChecks(before, [check('a', 'PASS'), check('b', 'PASS')]).map((c) => c.checkId)).toEqual([
      'a',
    ]);
  });
});
