// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for (`Accept: ...;as=Table`), with
// the columns and cell formats of the real printers (pkg/printers/internalversion/printers.go).
// Each kind's printer is in kinds/<kind>.ts; the cell helpers they share are here.

import type { Obj } from './object.ts';
import type { KubeObject } from './runtime-contract.ts';

/** One column definition. */
export interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** A column definition (type string, priority 0 unless given). */
export const col = (
  name: string,
  opts: { type?: string; format?: string; priority?: number; description?: string } = {},
): Column => ({
  name,
  type: opts.type ?? 'string',
  format: opts.format ?? '',
  description: opts.description ?? name,
  priority: opts.priority ?? 0,
});
export const NAME = col('Name', { format: 'name', description: 'Name must be unique within a namespace.' });
export const AGE = col('Age', {
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
});

/** Go's duration.HumanDuration, as kubectl's AGE column shows it. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** The AGE cell of a timestamp. */
export function age(ts: unknown): string {
  if (typeof ts !== 'string' || !ts) return '<unknown>';
  return humanDuration(Date.now() - Date.parse(ts));
}

/** "RWO,RWX" in the fixed order of GetAccessModesAsString. */
export function accessModesString(modes: unknown): string {
  const list = Array.isArray(modes) ? modes.map(String) : [];
  const out: string[] = [];
  if (list.includes('ReadWriteOnce')) out.push('RWO');
  if (list.includes('ReadOnlyMany')) out.push('ROX');
  if (list.includes('ReadWriteMany')) out.push('RWX');
  if (list.includes('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** The columns of a kind and how one object fills them. */
export interface Printer {
  columns: Column[];
  row: (o: KubeObject) => unknown[];
}

const DEFAULT_PRINTER: Printer = {
  columns: [NAME, AGE],
  row: (o) => [o.metadata.name, age(o.metadata.creationTimestamp)],
};

/** Build a Table for objects of a kind with its printer (none: NAME and AGE); includeObject is None, Metadata (default) or Object. */
export function toTable(
  printer: Printer | undefined,
  objects: KubeObject[],
  resourceVersion: string,
  includeObject: string | undefined,
  extraMeta: Obj = {},
): Obj {
  printer ??= DEFAULT_PRINTER;
  const mode = includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion, ...extraMeta },
    columnDefinitions: printer.columns,
    rows: objects.map((o) => ({
      cells: printer.row(o),
      object:
        mode === 'None'
          ? undefined
          : mode === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
