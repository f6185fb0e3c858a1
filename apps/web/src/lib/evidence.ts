// Turns a check's evidence JSON into rows a person can compare: field, expected, found.
// The grader's convention is `{ expected: {...}, found: {...}, ...other facts }`.

/** One compared field. `matches` is null when only one side has the field. */
export interface EvidenceRow {
  field: string;
  expected: string | null;
  found: string | null;
  matches: boolean | null;
}

/** The evidence split into compared fields and the other facts the check looked at. */
export interface EvidenceTable {
  rows: EvidenceRow[];
  details: { field: string; value: string }[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A grader message inside evidence, as the API sends it: key, parameters and its text in both languages. */
function isLocalizedMessage(v: unknown): v is { $msg: string; zh: string; en: string } {
  return (
    isPlainObject(v) && typeof v.$msg === 'string' && typeof v.zh === 'string' && typeof v.en === 'string'
  );
}

/** The evidence with every grader message replaced by its text in `locale` (zh-CN or en). */
export function resolveMessages(value: unknown, locale: string): unknown {
  if (isLocalizedMessage(value)) return locale === 'zh-CN' ? value.zh : value.en;
  if (Array.isArray(value)) return value.map((v) => resolveMessages(v, locale));
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveMessages(v, locale)]));
  return value;
}

/** Flattens nested objects into dotted paths; arrays and scalars become display strings. */
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix || '(value)', display(value));
  }
  return out;
}

/** Renders a JSON value compactly for a table cell. */
export function display(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Builds the expected-vs-found table from a check's evidence (any JSON), messages in `locale`. */
export function evidenceTable(raw: unknown, locale = 'en'): EvidenceTable {
  const evidence = resolveMessages(raw, locale);
  if (!isPlainObject(evidence)) {
    return {
      rows: [],
      details:
        evidence === null || evidence === undefined ? [] : [{ field: '(value)', value: display(evidence) }],
    };
  }
  const { expected, found, ...rest } = evidence;
  const exp = expected === undefined ? new Map<string, string>() : flatten(expected);
  const fnd = found === undefined ? new Map<string, string>() : flatten(found);
  const fields = [...exp.keys(), ...[...fnd.keys()].filter((k) => !exp.has(k))];
  const rows = fields.map((field) => {
    const e = exp.get(field) ?? null;
    const f = fnd.get(field) ?? null;
    return { field, expected: e, found: f, matches: e === null || f === null ? null : e === f };
  });
  const details = [...flatten(rest).entries()]
    .filter(([field]) => field !== '(value)')
    .map(([field, value]) => ({ field, value }));
  return { rows, details };
}
