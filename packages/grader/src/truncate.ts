// Every string a check result carries may come from the cluster (Redis keys and values, command
// output, API messages): one final pass over each result (runner.ts) cuts them to a sane size and
// says so, so a 5 MB value under the student's key costs kilobytes, not megabytes, in every view.

/** The caps, stated in the api README. */
export const EVIDENCE_LIMITS = {
  /** Characters of the message and of any string in the evidence. */
  text: 2000,
  /** Characters of an evidence object's key. */
  key: 200,
  /** Items of an evidence list, and fields of an evidence object. */
  items: 100,
  /** Nesting of evidence. */
  depth: 8,
  /** The whole evidence as JSON, after the caps above (then it is cut harder, then replaced). */
  totalBytes: 64 * 1024,
} as const;

interface Caps {
  text: number;
  key: number;
  items: number;
  depth: number;
}

/** The string, cut to `max` characters with a note of how long it was. */
export function cutText(s: string, max: number = EVIDENCE_LIMITS.text): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max)}… [cut: ${s.length} characters in all, the first ${max} shown]`;
}

function capValue(v: unknown, caps: Caps, depth: number): unknown {
  if (typeof v === 'string') return cutText(v, caps.text);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= caps.depth) return '[cut: nested too deep]';
  if (Array.isArray(v)) {
    const out = v.slice(0, caps.items).map((x) => capValue(x, caps, depth + 1));
    if (v.length > caps.items) out.push(`[cut: ${v.length - caps.items} more of ${v.length} items]`);
    return out;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [k, x] of entries.slice(0, caps.items)) out[cutText(k, caps.key)] = capValue(x, caps, depth + 1);
  if (entries.length > caps.items)
    out['[cut]'] = `${entries.length - caps.items} more of ${entries.length} fields`;
  return out;
}

/** The evidence with every string, key, list and object capped, and the whole within totalBytes. */
export function capEvidence(evidence: Record<string, unknown>): Record<string, unknown> {
  const first = capValue(evidence, EVIDENCE_LIMITS, 0) as Record<string, unknown>;
  if (JSON.stringify(first).length <= EVIDENCE_LIMITS.totalBytes) return first;
  const harder = capValue(evidence, { text: 200, key: 100, items: 20, depth: 4 }, 0) as Record<
    string,
    unknown
  >;
  const size = JSON.stringify(harder).length;
  if (size <= EVIDENCE_LIMITS.totalBytes) return harder;
  return {
    cut: `the evidence was too large to keep (${size} bytes of JSON even when cut; the limit is ${EVIDENCE_LIMITS.totalBytes})`,
  };
}

/** A check's message (its text and its parameters) and evidence, capped. */
export function capOutcome<
  T extends {
    message: string;
    messageText?: { params: Record<string, unknown> };
    evidence: Record<string, unknown>;
  },
>(r: T): T {
  const messageText = r.messageText
    ? {
        ...r.messageText,
        params: capValue(r.messageText.params, EVIDENCE_LIMITS, 0) as Record<string, never>,
      }
    : undefined;
  return {
    ...r,
    message: cutText(r.message),
    ...(messageText ? { messageText } : {}),
    evidence: capEvidence(r.evidence),
  };
}
