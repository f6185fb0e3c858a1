// Labs are data: YAML files validated with a zod schema (structure), then per check against its
// primitive's parameter schema (after templating with an example namespace). A bad file is
// rejected with the path and reason of every problem.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import '../primitives/index.ts';
import { getPrimitive, primitiveNames } from '../primitives/registry.ts';
import type { Lab, LabCheck } from '../types.ts';
import { applyTemplate, resolveParamValues, TemplateError } from './template.ts';

/** Where the shipped labs live: labs/ at the package root, found at run time from this module's
 * location, which is src/lab/ in the source and dist/ (or a chunk under it) in the built CLI. */
export const LABS_DIR = join(packageRoot(dirname(fileURLToPath(import.meta.url))), 'labs');

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '../..');
  }
}

const ID = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const localized = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });

const checkSchema = z.strictObject({
  id: z.string().regex(ID, 'lowercase letters, digits and dashes'),
  uses: z.string().min(1),
  with: z.record(z.string(), z.unknown()).default({}),
  needs: z.array(z.string()).default([]),
  points: z.number().int().min(0),
  disruptive: z.boolean().default(false),
  title: localized,
  timeoutSeconds: z.number().positive().max(3600).optional(),
});

const labSchema = z.strictObject({
  id: z.string().regex(ID, 'lowercase letters, digits and dashes'),
  version: z.union([z.string().min(1), z.number()]).transform(String),
  title: localized,
  params: z.record(z.string(), z.unknown()).default({}),
  checks: z.array(checkSchema).min(1),
});

/** One problem in a lab file: where and why. */
export interface LabIssue {
  path: string;
  message: string;
}

/** The result of validating a lab file. */
export type LabValidation = { ok: true; lab: Lab } | { ok: false; errors: LabIssue[] };

/** A lab file that failed validation. */
export class LabValidationError extends Error {
  override readonly name = 'LabValidationError';
  constructor(
    readonly file: string,
    readonly issues: LabIssue[],
  ) {
    super(`invalid lab ${file}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
}

function zodPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(root)';
}

/** An example namespace used to validate templated parameters. */
const EXAMPLE_NS = 'example-ns';

/** Validates an already parsed lab document. */
export function validateLab(doc: unknown, source?: string): LabValidation {
  const parsed = labSchema.safeParse(doc);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ path: zodPath(i.path), message: i.message })),
    };
  const raw = parsed.data;
  const errors: LabIssue[] = [];
  const ids = new Set<string>();
  raw.checks.forEach((c, i) => {
    if (ids.has(c.id)) errors.push({ path: `checks[${i}].id`, message: `duplicate check id ${c.id}` });
    ids.add(c.id);
  });
  let params: Record<string, unknown> = {};
  try {
    params = resolveParamValues(raw.params, EXAMPLE_NS);
  } catch (err) {
    if (err instanceof TemplateError) errors.push({ path: err.path, message: err.message });
    else throw err;
  }
  raw.checks.forEach((c, i) => {
    for (const [j, n] of c.needs.entries()) {
      if (!ids.has(n)) errors.push({ path: `checks[${i}].needs[${j}]`, message: `unknown check id ${n}` });
      if (n === c.id)
        errors.push({ path: `checks[${i}].needs[${j}]`, message: 'a check cannot need itself' });
    }
    const prim = getPrimitive(c.uses);
    if (!prim) {
      errors.push({
        path: `checks[${i}].uses`,
        message: `unknown primitive ${c.uses} (known: ${primitiveNames().join(', ')})`,
      });
      return;
    }
    try {
      const resolved = applyTemplate(c.with, params, EXAMPLE_NS, `checks[${i}].with`);
      const r = prim.params.safeParse(resolved);
      if (!r.success)
        for (const issue of r.error.issues)
          errors.push({ path: zodPath(issue.path, `checks[${i}].with`), message: issue.message });
    } catch (err) {
      if (err instanceof TemplateError) errors.push({ path: err.path, message: err.message });
      else throw err;
    }
  });
  const cycle = findCycle(raw.checks);
  if (cycle) errors.push({ path: 'checks', message: `needs form a cycle: ${cycle.join(' -> ')}` });
  if (errors.length > 0) return { ok: false, errors };
  const lab: Lab = {
    id: raw.id,
    version: raw.version,
    title: raw.title,
    params: raw.params,
    checks: raw.checks.map((c): LabCheck => ({
      id: c.id,
      uses: c.uses,
      with: c.with,
      needs: c.needs,
      points: c.points,
      disruptive: c.disruptive,
      title: c.title,
      ...(c.timeoutSeconds !== undefined ? { timeoutSeconds: c.timeoutSeconds } : {}),
    })),
    ...(source ? { source } : {}),
  };
  return { ok: true, lab };
}

function findCycle(checks: readonly { id: string; needs: string[] }[]): string[] | undefined {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const n of byId.get(id)?.needs ?? []) {
      if (!byId.has(n)) continue;
      const c = visit(n);
      if (c) return c;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const c of checks) {
    const cyc = visit(c.id);
    if (cyc) return cyc;
  }
  return undefined;
}

/** Validates a lab file: its YAML, its structure and every check's parameters. */
export function validateLabFile(file: string): LabValidation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return {
      ok: false,
      errors: [
        {
          path: '(file)',
          message: `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
        },
      ],
    };
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        path: `(yaml line ${e.linePos?.[0]?.line ?? '?'})`,
        message: e.message.split('\n')[0] ?? e.message,
      })),
    };
  }
  return validateLab(doc.toJS(), file);
}

/** Loads and validates a lab file; throws LabValidationError with every problem. */
export function loadLab(file: string): Lab {
  const r = validateLabFile(file);
  if (!r.ok) throw new LabValidationError(file, r.errors);
  return r.lab;
}

function shippedFiles(): string[] {
  return readdirSync(LABS_DIR)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(LABS_DIR, f));
}

/** Every shipped lab (packages/grader/labs/*.yaml). */
export function listLabs(): Lab[] {
  return shippedFiles().map((f) => loadLab(f));
}

/** A shipped lab by id; throws with the known ids when there is none. */
export function loadLabById(id: string): Lab {
  const labs = listLabs();
  const lab = labs.find((l) => l.id === id);
  if (!lab)
    throw new Error(`no lab with id ${JSON.stringify(id)} (known: ${labs.map((l) => l.id).join(', ')})`);
  return lab;
}

/** The lab's parameters with `{namespace}` (and references between parameters) resolved. */
export function resolveParams(lab: Lab, namespace: string): Record<string, unknown> {
  return resolveParamValues(lab.params, namespace);
}

/** A check's `with`, templated for a namespace. */
export function resolveCheckParams(lab: Lab, check: LabCheck, namespace: string): Record<string, unknown> {
  return applyTemplate(check.with, resolveParams(lab, namespace), namespace, `${check.id}.with`) as Record<
    string,
    unknown
  >;
}
