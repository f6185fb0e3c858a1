// Kubernetes resource quantities compared as quantities (64Mi == 67108864), and access modes as
// sets. Exact: values are held as BigInt nano-units, never as floating point.

const BINARY: Record<string, bigint> = {
  Ki: 1024n,
  Mi: 1024n ** 2n,
  Gi: 1024n ** 3n,
  Ti: 1024n ** 4n,
  Pi: 1024n ** 5n,
  Ei: 1024n ** 6n,
};
const DECIMAL_EXP: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E)?$/;

/** Parses a quantity ("64Mi", "67108864", "0.5Gi", "1e3", "100m") into nano-units; undefined when it is not one. */
export function parseQuantity(input: unknown): bigint | undefined {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    input = String(input);
  }
  if (typeof input !== 'string') return undefined;
  const m = QUANTITY_RE.exec(input.trim());
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const num = m[2] ?? '0';
  const suffix = m[3] ?? '';
  const [intPart = '0', fracPart = ''] = num.split('.');
  // value = digits * 10^-fracLen; in nano-units: digits * 10^(9 - fracLen)
  const digits = BigInt((intPart || '0') + fracPart);
  let exp10 = 9 - fracPart.length;
  let mult = 1n;
  if (suffix in BINARY) mult = BINARY[suffix] ?? 1n;
  else if (/^[eE]/.test(suffix)) exp10 += Number(suffix.slice(1));
  else exp10 += DECIMAL_EXP[suffix] ?? 0;
  let value = digits * mult;
  if (exp10 >= 0) value *= 10n ** BigInt(exp10);
  else value /= 10n ** BigInt(-exp10); // sub-nano precision is not meaningful for storage
  return sign * value;
}

/** -1, 0 or 1 as a < b, a == b, a > b; undefined if either is not a quantity. */
export function compareQuantities(a: unknown, b: unknown): -1 | 0 | 1 | undefined {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** True when both are quantities of the same value. */
export function quantitiesEqual(a: unknown, b: unknown): boolean {
  return compareQuantities(a, b) === 0;
}

/** True when the two lists hold the same access modes, ignoring order and repeats. */
export function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = new Set(a ?? []);
  const y = new Set(b ?? []);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/** True when every element of `sub` is in `sup`. */
export function isSubset(sub: readonly string[] | undefined, sup: readonly string[] | undefined): boolean {
  const y = new Set(sup ?? []);
  return (sub ?? []).every((v) => y.has(v));
}
