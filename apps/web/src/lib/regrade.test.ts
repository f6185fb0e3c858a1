import { describe, expect, it } from 'vitest';
import { regradeOptionsFromParams, regradeQuery } from './regrade';

describe('regradeOptionsFromParams', () => {
  it.each([
    [{}, { enrollments: [], disruptive: false, preview: null }],
    [{ enrollments: 'a,b,,c' }, { enrollments: ['a', 'b', 'c'], disruptive: false, preview: null }],
    [
      { disruptive: '1', preview: 'p1' },
      { enrollments: [], disruptive: true, preview: 'p1' },
    ],
    [{ disruptive: 'true' }, { enrollments: [], disruptive: true, preview: null }],
    [
      { disruptive: '0', preview: '' },
      { enrollments: [], disruptive: false, preview: null },
    ],
    [
      { enrollments: ['x', 'y'], preview: ['p2', 'p3'] },
      { enrollments: ['x'], disruptive: false, preview: 'p2' },
    ],
  ])('%j', (params, expected) => {
    expect(regradeOptionsFromParams(params)).toEqual(expected);
  });

  it('keeps at most 5000 students', () => {
    const ids = Array.from({ length: 6000 }, (_, i) => `e${i}`).join(',');
    expect(regradeOptionsFromParams({ enrollments: ids }).enrollments).toHaveLength(5000);
  });
});

describe('regradeQuery', () => {
  it('writes only what is set, and reads back the same', () => {
    expect(regradeQuery({ enrollments: [], disruptive: false, preview: null })).toBe('');
    const options = { enrollments: ['a', 'b'], disruptive: true, preview: 'p 1' };
    const q = regradeQuery(options);
    expect(q).toBe('?enrollments=a%2Cb&disruptive=1&preview=p+1');
    expect(regradeOptionsFromParams(Object.fromEntries(new URLSearchParams(q)))).toEqual(options);
  });
});
