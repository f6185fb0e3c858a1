// The protobuf wire format of the request bodies kubectl's typed clients send (`kubectl create
// namespace`, `kubectl create service`): fields, strings, numbers, maps and ObjectMeta, with field
// numbers from k8s.io/api/core/v1/generated.proto. The envelope is opened in request.ts; a kind
// that accepts protobuf decodes its own spec (kinds/<kind>.ts, protobufSpec).

import type { Obj } from './object.ts';

/** One decoded field: varint numbers or raw bytes. */
export type Field = { no: number; varint?: bigint; bytes?: Buffer };

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

/** The fields of a message, in order. */
export function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    pos = p1;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, p2] = readVarint(buf, pos);
      pos = p2;
      out.push({ no, varint: v });
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      const end = p2 + Number(len);
      out.push({ no, bytes: buf.subarray(p2, end) });
      pos = end;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

/** A string or bytes field as UTF-8. */
export const str = (f: Field) => (f.bytes ?? Buffer.alloc(0)).toString('utf8');

/** Go's gogo-protobuf writes zero values; JSON omits them (omitempty), so drop them too. */
export function compact(o: Obj): Obj {
  for (const [k, v] of Object.entries(o)) if (v === '' || v === 0) delete o[k];
  return o;
}
/** A varint field as a (signed 64-bit) number. */
export const int = (f: Field) => Number(BigInt.asIntN(64, f.varint ?? 0n));

/** The map<string, string> in field `no` (labels, selectors), or undefined when absent. */
export function stringMap(fs: Field[], no: number): Record<string, string> | undefined {
  const entries = fs.filter((f) => f.no === no);
  if (!entries.length) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e.bytes!);
    out[str(kv.find((x) => x.no === 1) ?? { no: 1 })] = str(kv.find((x) => x.no === 2) ?? { no: 2 });
  }
  return out;
}

/** ObjectMeta: name, generateName, namespace, labels, annotations, finalizers. */
export function objectMeta(buf: Buffer): Obj {
  const fs = fields(buf);
  const meta: Obj = {};
  for (const f of fs) {
    if (f.no === 1) meta.name = str(f);
    else if (f.no === 2) meta.generateName = str(f);
    else if (f.no === 3) meta.namespace = str(f);
    else if (f.no === 14) ((meta.finalizers ??= []) as string[]).push(str(f));
  }
  const labels = stringMap(fs, 11);
  const annotations = stringMap(fs, 12);
  if (labels) meta.labels = labels;
  if (annotations) meta.annotations = annotations;
  return compact(meta);
}

/** An IntOrString (a Service targetPort). */
export function intOrString(buf: Buffer): number | string {
  const fs = fields(buf);
  const type = int(fs.find((f) => f.no === 1) ?? { no: 1, varint: 0n });
  if (type === 1) return str(fs.find((f) => f.no === 3) ?? { no: 3 });
  return int(fs.find((f) => f.no === 2) ?? { no: 2, varint: 0n });
}
