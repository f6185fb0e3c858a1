import { describe, expect, it } from 'vitest';
import { fromLocalInput, toLocalInput } from './local-time';

describe('local-time', () => {
  it('leaves empty and unreadable dates empty', () => {
    expect(toLocalInput(null)).toBe('');
    expect(toLocalInput(undefined)).toBe('');
    expect(toLocalInput('not a date')).toBe('');
    expect(fromLocalInput('')).toBeNull();
  });

  it('round-trips a time to the minute in the viewer zone', () => {
    const cases = ['2026-12-20T23:59:00.000Z', '2026-03-29T01:30:00.000Z', '2027-01-01T00:00:00.000Z'];
    for (const iso of cases) {
      const local = toLocalInput(iso);
      expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
      expect(fromLocalInput(local)).toBe(iso);
    }
  });

  it('drops seconds, as the input does', () => {
    expect(fromLocalInput(toLocalInput('2026-12-20T23:59:42.123Z'))).toBe('2026-12-20T23:59:00.000Z');
  });
});
