import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDateTime, formatScore } from './format';

describe('format', () => {
  it('counts down in minutes and seconds, never below zero', () => {
    expect(formatCountdown(65)).toBe('1:05');
    expect(formatCountdown(7)).toBe('0:07');
    expect(formatCountdown(0.2)).toBe('0:01');
    expect(formatCountdown(-3)).toBe('0:00');
  });

  it('shows scores with a dash before the first grade', () => {
    expect(formatScore(null, 100)).toBe('— / 100');
    expect(formatScore(62.5, 100)).toBe('62.5 / 100');
  });

  it('formats dates and tolerates missing ones', () => {
    expect(formatDateTime(null, 'en')).toBe('—');
    expect(formatDateTime('2026-11-25T10:00:00Z', 'en')).toMatch(/2026/);
  });
});
