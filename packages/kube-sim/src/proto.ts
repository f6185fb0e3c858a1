// Decoding of the protobuf request bodies kubectl's typed clients send (`kubectl create
// namespace`, `kubectl create service`): the "k8s\0" envelope (runtime.Unknown) and the few
// messages those commands produce, with field numbers from k8s.io/api/core/v1/generated.proto.

import { ApiError } from './errors.ts';

type Obj = Record<string, unknown>;

/** One decoded field: varint numbers or raw bytes. */
type Field = { no: number; varint?: bigint; bytes?: Buffer };

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

function fields(buf: Buffer): Field[] {
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

const str = (f: Field) => (f.bytes ?? Buffer.alloc(0)).toString('utf8');

/** Go's gogo-protobuf writes zero values; JSON omits them (omitempty), so drop them too. */
function compact(o: Obj): Obj {
  for (const [k, v] of Object.entries(o)) if (v === '' || v === 0) delete o[k];
  return o;
}
const int = (f: Field) => Number(BigInt.asIntN(64, f.varint ?? 0n));

function map(fs: Field[], no: number): Record<string, string> | undefined {
  const entries = fs.filter((f) => f.no === no);
  if (!entries.length) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e.bytes!);
    out[str(kv.find((x) => x.no === 1) ?? { no: 1 })] = str(kv.find((x) => x.no === 2) ?? { no: 2 });
  }
  return out;
}

function objectMeta(buf: Buffer): Obj {
  const fs = fields(buf);
  const meta: Obj = {};
  for (const f of fs) {
    if (f.no === 1) meta.name = str(f);
    else if (f.no === 2) meta.generateName = str(f);
    else if (f.no === 3) meta.namespace = str(f);
    else if (f.no === 14) ((meta.finalizers ??= []) as string[]).push(str(f));
  }
  const labels = map(fs, 11);
  const annotations = map(fs, 12);
  if (labels) meta.labels = labels;
  if (annotations) meta.annotations = annotations;
  return compact(meta);
}

function intOrString(buf: Buffer): number | string {
  const fs = fields(buf);
  const type = int(fs.find((f) => f.no === 1) ?? { no: 1, varint: 0n });
  if (type === 1) return str(fs.find((f) => f.no === 3) ?? { no: 3 });
  return int(fs.find((f) => f.no === 2) ?? { no: 2, varint: 0n });
}

function servicePort(buf: Buffer): Obj {
  const p: Obj = {};
  for (const f of fields(buf)) {
    if (f.no === 1) p.name = str(f);
    else if (f.no === 2) p.protocol = str(f);
    else if (f.no === 3) p.port = int(f);
    else if (f.no === 4) p.targetPort = intOrString(f.bytes!);
    else if (f.no === 5) p.nodePort = int(f);
    else if (f.no === 6) p.appProtocol = str(f);
  }
  return compact(p);
}

function serviceSpec(buf: Buffer): Obj {
  const fs = fields(buf);
  const s: Obj = {};
  for (const f of fs) {
    if (f.no === 1) ((s.ports ??= []) as Obj[]).push(servicePort(f.bytes!));
    else if (f.no === 3) s.clusterIP = str(f);
    else if (f.no === 4) s.type = str(f);
    else if (f.no === 5) ((s.externalIPs ??= []) as string[]).push(str(f));
    else if (f.no === 7) s.sessionAffinity = str(f);
    else if (f.no === 10) s.externalName = str(f);
    else if (f.no === 18) ((s.clusterIPs ??= []) as string[]).push(str(f));
  }
  const selector = map(fs, 2);
  if (selector) s.selector = selector;
  return compact(s);
}

/** Decode a `application/vnd.kubernetes.protobuf` body into the JSON object it encodes. */
export function decodeProtobuf(body: Buffer): Obj {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') {
    throw new ApiError(400, 'BadRequest', 'the body of the request was in an unknown format: missing protobuf envelope');
  }
  const env = fields(body.subarray(4));
  const typeMeta = env.find((f) => f.no === 1);
  const raw = env.find((f) => f.no === 2);
  let apiVersion = '';
  let kind = '';
  if (typeMeta?.bytes) {
    for (const f of fields(typeMeta.bytes)) {
      if (f.no === 1) apiVersion = str(f);
      else if (f.no === 2) kind = str(f);
    }
  }
  const msg = fields(raw?.bytes ?? Buffer.alloc(0));
  const metaField = msg.find((f) => f.no === 1);
  const out: Obj = { apiVersion, kind, metadata: metaField?.bytes ? objectMeta(metaField.bytes) : {} };
  const specField = msg.find((f) => f.no === 2);
  if (kind === 'Namespace') {
    if (specField?.bytes) {
      const fins = fields(specField.bytes).filter((f) => f.no === 1).map(str);
      if (fins.length) out.spec = { finalizers: fins };
    }
    return out;
  }
  if (kind === 'Service') {
    if (specField?.bytes) out.spec = serviceSpec(specField.bytes);
    return out;
  }
  throw new ApiError(
    415,
    'UnsupportedMediaType',
    `kube-sim decodes protobuf bodies only for Namespace and Service, not ${kind || 'this kind'}; send application/json`,
  );
}
