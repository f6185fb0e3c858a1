// Validation of objects against the Kubernetes OpenAPI schemas shipped (as compiled validators) by
// the kubernetes-models package, looked up by apiVersion and kind.
import type { Obj } from './render.ts';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: Obj) => Validatable;

/** The validation errors of one object ([] when valid); throws when no schema exists for its kind. */
export async function schemaErrors(obj: Obj): Promise<string[]> {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const path = `kubernetes-models/${group ? `${group}/` : ''}${version}/${obj.kind}`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path)) as Record<string, unknown>;
  } catch {
    throw new Error(`no Kubernetes schema for ${obj.apiVersion} ${obj.kind} (looked for ${path})`);
  }
  const Model = mod[obj.kind] as ModelClass | undefined;
  if (typeof Model !== 'function') throw new Error(`${path} exports no ${obj.kind}`);
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}
