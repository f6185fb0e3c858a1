// `{name}` templating of lab parameters: `{namespace}` is the student's namespace, any other
// `{name}` is a lab parameter (looked up as an own property only: `{toString}`, `{constructor}` or
// `{__proto__}` are unknown placeholders, not Object.prototype's members). A string that is exactly one placeholder takes the parameter's value
// as is (so a number or list parameter stays one).

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_-]*)\}/g;
const WHOLE = /^\{([A-Za-z_][A-Za-z0-9_-]*)\}$/;

/** A placeholder with no value. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function substitute(value: unknown, vars: Record<string, unknown>, path: string): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) {
      const name = whole[1] ?? '';
      if (!Object.hasOwn(vars, name)) throw new TemplateError(path, `unknown placeholder {${name}}`);
      return vars[name];
    }
    return value.replace(PLACEHOLDER, (_m, name: string) => {
      if (!Object.hasOwn(vars, name)) throw new TemplateError(path, `unknown placeholder {${name}}`);
      const v = vars[name];
      if (typeof v === 'object' && v !== null)
        throw new TemplateError(path, `{${name}} is not a scalar and cannot be part of a string`);
      return String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, vars, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    // defineProperty: a "__proto__" key stays a key instead of replacing the result's prototype.
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, {
        value: substitute(v, vars, path ? `${path}.${k}` : k),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}

/** Resolves the lab's parameters for a namespace: `{namespace}` and references to other parameters. */
export function resolveParamValues(
  params: Record<string, unknown>,
  namespace: string,
  pathPrefix = 'params',
): Record<string, unknown> {
  let current: Record<string, unknown> = { ...params };
  // Parameters may refer to each other; a few passes resolve any sane chain, and a cycle is reported.
  for (let pass = 0; pass < 10; pass++) {
    const vars = { ...current, namespace };
    const next: Record<string, unknown> = {};
    let changed = false;
    for (const [k, v] of Object.entries(current)) {
      const r = substitute(v, vars, `${pathPrefix}.${k}`);
      if (JSON.stringify(r) !== JSON.stringify(v)) changed = true;
      next[k] = r;
    }
    current = next;
    if (!changed) return current;
  }
  throw new TemplateError(pathPrefix, 'parameters refer to each other in a cycle');
}

/** Substitutes resolved parameters (and `{namespace}`) into a check's `with`. */
export function applyTemplate(
  value: unknown,
  resolvedParams: Record<string, unknown>,
  namespace: string,
  path: string,
): unknown {
  return substitute(value, { ...resolvedParams, namespace }, path);
}
