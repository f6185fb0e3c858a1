// Renderings of a RunResult: a table for people (colours plus words, fine without colour), one JSON
// object for programs, JUnit XML for CI systems.
import pc from 'picocolors';
import {
  localize,
  localizeEvidence,
  msg,
  renderMessage,
  type Lang,
  type LocalizedMessage,
  type Message,
} from '../messages.ts';
import type { CheckResult, Hint, RunResult } from '../types.ts';

/** The JSON the CLI prints: exactly these fields. */
export interface JsonReport {
  lab: string;
  namespace: string;
  score: number;
  maxScore: number;
  status: RunResult['status'];
  checks: {
    id: string;
    status: CheckResult['status'];
    points: number;
    maxPoints: number;
    /** The message in English (as before). */
    message: string;
    /** The message as key and parameters, with its text in both languages. */
    messageText: LocalizedMessage;
    hint: Hint | null;
    evidence: Record<string, unknown>;
    durationMs: number;
  }[];
}

/** The `--format json` object for a run. */
export function toJsonReport(r: RunResult): JsonReport {
  return {
    lab: r.lab,
    namespace: r.namespace,
    score: r.score,
    maxScore: r.maxScore,
    status: r.status,
    checks: r.checks.map((c) => ({
      id: c.id,
      status: c.status,
      points: c.points,
      maxPoints: c.maxPoints,
      message: c.message,
      messageText: localize(messageOf(c)),
      hint: c.hint ? { key: c.hint.key, zh: c.hint.zh, en: c.hint.en } : null,
      evidence: localizeEvidence(c.evidence),
      durationMs: c.durationMs,
    })),
  };
}

/** A check's message as a catalog message (a result from before the catalog has only English text). */
export function messageOf(c: Pick<CheckResult, 'message' | 'messageText'>): Message {
  return c.messageText ?? msg('text', { text: c.message });
}

/** A check's message in one language. */
export function messageIn(c: Pick<CheckResult, 'message' | 'messageText'>, lang: Lang): string {
  return renderMessage(messageOf(c), lang);
}

const WORDS: Record<Lang, Record<CheckResult['status'] | RunResult['status'] | 'score' | 'hint', string>> = {
  en: {
    pass: 'PASS',
    fail: 'FAIL',
    error: 'ERROR',
    skipped: 'SKIP',
    passed: 'PASSED',
    failed: 'FAILED',
    score: 'Score',
    hint: 'Hint',
  },
  zh: {
    pass: '通过',
    fail: '未通过',
    error: '错误',
    skipped: '跳过',
    passed: '全部通过',
    failed: '未全部通过',
    score: '得分',
    hint: '提示',
  },
};

/** A human-readable table; `color` false gives plain words only (NO_COLOR, pipes). */
export function toTable(r: RunResult, opts: { lang?: Lang; color?: boolean } = {}): string {
  const lang = opts.lang ?? 'en';
  const c = pc.createColors(opts.color ?? false);
  const w = WORDS[lang];
  const paint = (status: CheckResult['status'], s: string) =>
    status === 'pass'
      ? c.green(s)
      : status === 'fail'
        ? c.red(s)
        : status === 'error'
          ? c.magenta(s)
          : c.yellow(s);
  const lines: string[] = [];
  const runPaint = r.status === 'passed' ? c.green : r.status === 'failed' ? c.red : c.magenta;
  lines.push(c.bold(`${r.lab} @ ${r.namespace}`));
  const statusWidth = Math.max(...Object.values(w).map((s) => s.length));
  for (const ch of r.checks) {
    const word = w[ch.status].padEnd(statusWidth);
    const pts = `${ch.points}/${ch.maxPoints}`.padStart(7);
    lines.push(`${paint(ch.status, `[${word}]`)} ${pts}  ${c.bold(ch.id)}  ${ch.title[lang]}`);
    lines.push(`    ${messageIn(ch, lang)}`);
    if (ch.hint && ch.status !== 'pass')
      lines.push(`    ${c.cyan(`${w.hint} (${ch.hint.key}):`)} ${ch.hint[lang]}`);
  }
  lines.push(`${w.score}: ${r.score}/${r.maxScore}  ${runPaint(w[r.status])}`);
  return `${lines.join('\n')}\n`;
}

// XML 1.0 forbids most control characters even when escaped.
function xmlSafe(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (
      cp === 9 ||
      cp === 10 ||
      cp === 13 ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      cp >= 0x10000
    )
      out += ch;
  }
  return out;
}

function xml(s: string): string {
  return xmlSafe(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

/** JUnit XML: a fail is a <failure>, an error an <error> (the grader's or cluster's), a skip <skipped>. */
export function toJunit(r: RunResult): string {
  const count = (s: CheckResult['status']) => r.checks.filter((c) => c.status === s).length;
  const total = r.checks.reduce((t, c) => t + c.durationMs, 0);
  const head = `tests="${r.checks.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skipped')}" time="${secs(total)}"`;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="kubegrade" ${head}>`];
  out.push(`  <testsuite name="${xml(`${r.lab}/${r.namespace}`)}" ${head}>`);
  out.push('    <properties>');
  for (const [k, v] of [
    ['lab', r.lab],
    ['labVersion', r.labVersion],
    ['namespace', r.namespace],
    ['score', String(r.score)],
    ['maxScore', String(r.maxScore)],
    ['status', r.status],
    ['graderVersion', r.graderVersion],
  ] as const)
    out.push(`      <property name="${k}" value="${xml(v)}"/>`);
  out.push('    </properties>');
  for (const c of r.checks) {
    out.push(
      `    <testcase classname="${xml(`kubegrade.${r.lab}`)}" name="${xml(c.id)}" time="${secs(c.durationMs)}">`,
    );
    const body = [c.message, ...(c.hint ? [`hint ${c.hint.key}: ${c.hint.en}`, c.hint.zh] : [])].join('\n');
    if (c.status === 'fail')
      out.push(
        `      <failure message="${xml(c.message)}" type="${xml(c.hint?.key ?? 'fail')}">${xml(body)}</failure>`,
      );
    else if (c.status === 'error')
      out.push(`      <error message="${xml(c.message)}" type="grader-or-cluster">${xml(body)}</error>`);
    else if (c.status === 'skipped') out.push(`      <skipped message="${xml(c.message)}"/>`);
    out.push(
      `      <system-out>${xml(JSON.stringify({ points: c.points, maxPoints: c.maxPoints, evidence: c.evidence }))}</system-out>`,
    );
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}
