// Label and field selectors, in the string form clients put in query parameters and the
// structured form (matchLabels / matchExpressions) objects carry.

import { badRequest } from './errors.ts';
import type { KubeObject } from './runtime-contract.ts';

type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: '=' | '!='; values: [string] };

/** A parsed label selector; an empty one matches everything. */
export interface LabelSelector {
  requirements: Requirement[];
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

/** Parse `app=x,tier!=y,env in (a,b),!legacy` into a selector. */
export function parseLabelSelector(input: string | undefined): LabelSelector {
  const requirements: Requirement[] = [];
  const text = (input ?? '').trim();
  if (!text) return { requirements };
  // Split on commas outside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const part = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      requirements.push({ key: checkKey(m[1]!, text), op: m[2] as 'in' | 'notin', values });
    } else if ((m = part.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      requirements.push({ key: checkKey(m[1]!, text), op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] });
    } else if ((m = part.match(/^!\s*(\S+)$/))) {
      requirements.push({ key: checkKey(m[1]!, text), op: '!' });
    } else if ((m = part.match(/^(\S+)$/))) {
      requirements.push({ key: checkKey(m[1]!, text), op: 'exists' });
    } else {
      throw badRequest(`unable to parse requirement: found '${part}', expected: identifier`);
    }
  }
  return { requirements };
}

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key))
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}

/** Build a selector from a LabelSelector object ({matchLabels, matchExpressions}). */
export function selectorFromObject(sel: unknown): LabelSelector {
  const requirements: Requirement[] = [];
  if (!sel || typeof sel !== 'object') return { requirements };
  const s = sel as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  for (const [k, v] of Object.entries(s.matchLabels ?? {}))
    requirements.push({ key: k, op: '=', values: [v] });
  for (const e of s.matchExpressions ?? []) {
    const op = e.operator;
    if (op === 'In') requirements.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (op === 'NotIn') requirements.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (op === 'Exists') requirements.push({ key: e.key, op: 'exists' });
    else if (op === 'DoesNotExist') requirements.push({ key: e.key, op: '!' });
  }
  return { requirements };
}

/** A selector from a plain map (a Service's spec.selector): every pair must match. */
export function selectorFromMap(map: Record<string, string> | undefined): LabelSelector {
  return {
    requirements: Object.entries(map ?? {}).map(([key, v]) => ({
      key,
      op: '=' as const,
      values: [v] as [string],
    })),
  };
}

/** True when the labels satisfy every requirement. */
export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const req of sel.requirements) {
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    const v = l[req.key];
    switch (req.op) {
      case '=':
        if (!has || v !== req.values[0]) return false;
        break;
      case '!=':
        if (has && v === req.values[0]) return false;
        break;
      case 'in':
        if (!has || !req.values.includes(v!)) return false;
        break;
      case 'notin':
        if (has && req.values.includes(v!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** The string form of a selector, as `kubectl describe` and Scale.status.selector show it. */
export function formatSelector(sel: LabelSelector): string {
  return sel.requirements
    .map((r) => {
      if (r.op === '=' || r.op === '!=') return `${r.key}${r.op}${r.values[0]}`;
      if (r.op === 'in' || r.op === 'notin') return `${r.key} ${r.op} (${r.values.join(',')})`;
      if (r.op === 'exists') return r.key;
      return `!${r.key}`;
    })
    .join(',');
}

/** A parsed field selector: equality and inequality on dotted paths. */
export interface FieldSelector {
  terms: { path: string; op: '=' | '!='; value: string }[];
}

/** Parse `metadata.name=x,status.phase!=Running`. */
export function parseFieldSelector(input: string | undefined): FieldSelector {
  const terms: FieldSelector['terms'] = [];
  const text = (input ?? '').trim();
  if (!text) return { terms };
  for (const raw of text.split(',')) {
    const m = raw.trim().match(/^([^=!]+)(==|=|!=)(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${raw}'`);
    terms.push({ path: m[1]!.trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3]!.trim() });
  }
  return { terms };
}

/** The value a field selector sees at a dotted path ('' when absent). */
export function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur && typeof cur === 'object') cur = (cur as Record<string, unknown>)[seg];
    else return '';
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

/** True when the object satisfies every term. */
export function matchesFields(sel: FieldSelector, obj: KubeObject): boolean {
  for (const t of sel.terms) {
    const v = fieldValue(obj, t.path);
    if (t.op === '=' && v !== t.value) return false;
    if (t.op === '!=' && v === t.value) return false;
  }
  return true;
}
