// Every message a primitive or the runner can emit is in the catalog, in both languages, with the
// same parameters; rendered in Chinese it holds no English sentence (object names and `code` aside).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  isMessageKey,
  localizeEvidence,
  messages,
  msg,
  placeholders,
  renderMessage,
  type MessageKey,
} from '../src/index.ts';
import { latinSentences } from './latin.ts';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const sources = [
  ...readdirSync(`${SRC}primitives`).map((f) => `${SRC}primitives/${f}`),
  `${SRC}runner.ts`,
  `${SRC}messages.ts`,
].map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));

/** Keys the sources name: msg('key'...), plus the keys built from a prefix (`cluster.kind.${kind}`). */
function usedKeys(): Map<string, string> {
  const used = new Map<string, string>();
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/msg\(\s*'([^']+)'/g)) used.set(m[1] ?? '', file);
    for (const m of text.matchAll(/msg\(\s*`([^`$]+)\$\{/g)) {
      for (const key of Object.keys(messages)) if (key.startsWith(m[1] ?? '')) used.set(key, file);
    }
  }
  return used;
}

// Stored by packages/db (a run that ended before its checks were judged) and the plain-text
// pass-through for primitives registered from outside the grader.
const USED_ELSEWHERE = new Set(['run.not-judged', 'text']);

describe('the message catalog', () => {
  const keys = Object.keys(messages) as MessageKey[];

  it('has every key the primitives and the runner use, and no key nothing uses', () => {
    const used = usedKeys();
    const missing = [...used].filter(([k]) => !isMessageKey(k)).map(([k, f]) => `${k} (${f})`);
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(100);
    const unused = keys.filter((k) => !used.has(k) && !USED_ELSEWHERE.has(k));
    expect(unused).toEqual([]);
  });

  it('gives each message the same parameters in zh and en', () => {
    // cluster.error: the English is the error's own text, which names its kind already.
    const differ = keys.filter(
      (k) =>
        k !== 'cluster.error' &&
        placeholders(messages[k].zh).sort().join() !== placeholders(messages[k].en).sort().join(),
    );
    expect(differ).toEqual([]);
  });

  it('renders every message in both languages with no parameter left over and no English sentence in Chinese', () => {
    const problems: string[] = [];
    for (const key of keys) {
      if (key === 'text') continue;
      const params = Object.fromEntries(
        placeholders(`${messages[key].en}${messages[key].zh}`).map((p, i) => [p, `obj-${i}`]),
      );
      for (const lang of ['zh', 'en'] as const) {
        const out = renderMessage({ $msg: key, params }, lang);
        if (/\{\w+\}/.test(out)) problems.push(`${key} ${lang}: unfilled parameter in ${out}`);
        if (lang === 'en' && /[\u4e00-\u9fff]/.test(out)) problems.push(`${key} en: Chinese in ${out}`);
        if (lang === 'zh')
          for (const s of latinSentences(out)) problems.push(`${key} zh: English "${s}" in ${out}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('renders nested messages and lists in the reader language', () => {
    const m = msg('run.needs', {
      unmet: [
        msg('run.need', { id: 'pv-claimref', status: msg('status.fail') }),
        msg('run.need', { id: 'pvc-bound', status: msg('status.skipped') }),
      ],
    });
    expect(renderMessage(m, 'en')).toBe(
      'cannot be evaluated: it needs pv-claimref (fail), pvc-bound (skipped) to pass first',
    );
    expect(renderMessage(m, 'zh')).toBe('无法评估：需要先通过 pv-claimref（未通过）、pvc-bound（跳过）');
  });

  it('gives messages inside evidence their text in both languages, leaving other values alone', () => {
    const e = localizeEvidence({
      expected: { replicas: msg('sts.expected-replicas'), dataPath: '/data' },
      list: [msg('none')],
    });
    expect(e).toEqual({
      expected: {
        replicas: { $msg: 'sts.expected-replicas', params: {}, en: '>= 1, all Ready', zh: '>= 1，全部就绪' },
        dataPath: '/data',
      },
      list: [{ $msg: 'none', params: {}, en: '(none)', zh: '（无）' }],
    });
  });

  it('the detector finds English sentences and lets names and commands through', () => {
    expect(latinSentences('PVC pvc-a is Bound to pv-a')).toHaveLength(1);
    expect(latinSentences('PVC pvc-a 已绑定到 pv-a，请运行 kubectl describe pvc 查看')).toEqual([]);
    expect(latinSentences('错误（技术细节：`list pods in ns: forbidden (403)`）')).toEqual([]);
  });
});
