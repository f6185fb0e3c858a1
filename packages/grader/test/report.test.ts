import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { hint, toJsonReport, toJunit, toTable, type RunResult } from '../src/index.ts';

const run: RunResult = {
  lab: 'redis-exist-pvc',
  labVersion: '1',
  namespace: 'shiqi',
  score: 15,
  maxScore: 60,
  status: 'error',
  graderVersion: '0.1.0',
  checks: [
    {
      id: 'pv-claimref',
      title: { zh: 'PV 预绑定', en: 'PV pre-bound' },
      status: 'pass',
      points: 15,
      maxPoints: 15,
      message: 'ok',
      hint: null,
      evidence: { a: 1 },
      durationMs: 12,
    },
    {
      id: 'headless-dns',
      title: { zh: 'DNS', en: 'DNS' },
      status: 'fail',
      points: 0,
      maxPoints: 20,
      message: 'Service <service-headless> selects the pods & "more"',
      hint: hint('service-name-mismatch'),
      evidence: { found: 'x\u0001y' },
      durationMs: 40,
    },
    {
      id: 'statefulset-ready',
      title: { zh: 'STS', en: 'STS' },
      status: 'error',
      points: 0,
      maxPoints: 25,
      message: 'list pods: forbidden (403)',
      hint: null,
      evidence: {},
      durationMs: 5,
    },
    {
      id: 'redis-persistence',
      title: { zh: '持久化', en: 'persist' },
      status: 'skipped',
      points: 0,
      maxPoints: 25,
      message: 'no Ready pod',
      hint: null,
      evidence: {},
      durationMs: 1,
    },
  ],
};

describe('reports', () => {
  it('json has exactly the documented fields', () => {
    const j = toJsonReport(run);
    expect(Object.keys(j)).toEqual(['lab', 'namespace', 'score', 'maxScore', 'status', 'checks']);
    for (const c of j.checks)
      expect(Object.keys(c)).toEqual([
        'id',
        'status',
        'points',
        'maxPoints',
        'message',
        'messageText',
        'hint',
        'evidence',
        'durationMs',
      ]);
    expect(j.checks[1]?.hint).toEqual({
      key: 'service-name-mismatch',
      zh: expect.stringContaining('serviceName'),
      en: expect.stringContaining('serviceName'),
    });
  });

  it('junit is valid XML telling failures from errors and skips', () => {
    const xml = toJunit(run);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: {
        tests: string;
        failures: string;
        errors: string;
        skipped: string;
        testsuite: { testcase: Record<string, unknown>[] };
      };
    };
    expect(doc.testsuites).toMatchObject({ tests: '4', failures: '1', errors: '1', skipped: '1' });
    const cases = doc.testsuites.testsuite.testcase;
    expect(cases.map((c) => c.name)).toEqual([
      'pv-claimref',
      'headless-dns',
      'statefulset-ready',
      'redis-persistence',
    ]);
    expect(cases[1]).toHaveProperty('failure');
    expect((cases[1]?.failure as { type: string }).type).toBe('service-name-mismatch');
    expect(cases[2]).toHaveProperty('error');
    expect(cases[3]).toHaveProperty('skipped');
    expect(cases[0]).not.toHaveProperty('failure');
  });

  it('the table says each status in words, with or without colour, in the chosen language', () => {
    const plain = toTable(run, { lang: 'en', color: false });
    expect(plain).not.toContain('\u001b[');
    expect(plain).toMatch(/\[PASS\s*\]/);
    expect(plain).toMatch(/\[FAIL\s*\]/);
    expect(plain).toMatch(/\[ERROR\s*\]/);
    expect(plain).toMatch(/\[SKIP\s*\]/);
    expect(plain).toMatch(/Hint \(service-name-mismatch\): The headless Service's name differs/);
    expect(plain).toMatch(/Score: 15\/60/);
    const zh = toTable(run, { lang: 'zh', color: true });
    expect(zh).toContain('\u001b[');
    expect(zh).toContain('未通过');
    expect(zh).toContain('教程第七部分 3.1 自己就写错了');
  });
});
