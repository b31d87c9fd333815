// Decodes the protobuf request bodies kubectl (1.32+) sends from its `create` generators
// (`kubectl create configmap|secret|namespace`), so the seed's
// `kubectl create secret docker-registry dockerhub …` works against the local cluster.
// Wire format (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the bytes `k8s\0`, then a
// runtime.Unknown {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}
// whose raw field is the object's message from k8s.io/api/core/v1/generated.proto.
// Only these kinds are decoded; any other protobuf body stays a 415, as before.

export class ProtobufDecodeError extends Error {}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Field = { num: number; wire: number; value: bigint | Buffer };

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = pos; i < buf.length && shift < 70n; i++) {
    const byte = buf[i]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw new ProtobufDecodeError('truncated varint');
}

/** The fields of one message, in order; unknown wire types are an error. */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, after] = readVarint(buf, pos);
      out.push({ num, wire, value: v });
      pos = after;
    } else if (wire === 2) {
      const [len, after] = readVarint(buf, pos);
      const end = after + Number(len);
      if (len > BigInt(buf.length) || end > buf.length)
        throw new ProtobufDecodeError('truncated length-delimited field');
      out.push({ num, wire, value: buf.subarray(after, end) });
      pos = end;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) throw new ProtobufDecodeError('truncated fixed-width field');
    } else {
      throw new ProtobufDecodeError(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

const text = (f: Field) => (f.value as Buffer).toString('utf8');
const bytes = (f: Field) => f.value as Buffer;
const varint = (f: Field) => Number(f.value as bigint);

function stringMap(entries: Field[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(bytes(e));
    map[kv.find((f) => f.num === 1) ? text(kv.find((f) => f.num === 1)!) : ''] = kv.find((f) => f.num === 2)
      ? text(kv.find((f) => f.num === 2)!)
      : '';
  }
  return map;
}

/** map<string, bytes> becomes base64 strings, as in the JSON form. */
function bytesMap(entries: Field[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(bytes(e));
    const key = kv.find((f) => f.num === 1);
    const value = kv.find((f) => f.num === 2);
    map[key ? text(key) : ''] = value ? bytes(value).toString('base64') : '';
  }
  return map;
}

function decodeObjectMeta(buf: Buffer): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const fs = fields(buf);
  const strings: Record<number, string> = {
    1: 'name',
    2: 'generateName',
    3: 'namespace',
    5: 'uid',
    6: 'resourceVersion',
  };
  // Go marshals every string field, empty ones included: only non-empty values mean something.
  for (const f of fs)
    if (strings[f.num] && f.wire === 2 && bytes(f).length > 0) meta[strings[f.num]!] = text(f);
  const labels = fs.filter((f) => f.num === 11);
  const annotations = fs.filter((f) => f.num === 12);
  const finalizers = fs.filter((f) => f.num === 14);
  if (labels.length) meta.labels = stringMap(labels);
  if (annotations.length) meta.annotations = stringMap(annotations);
  if (finalizers.length) meta.finalizers = finalizers.map(text);
  return meta;
}

type Decoder = (fs: Field[]) => Record<string, unknown>;

const DECODERS: Record<string, Decoder> = {
  'v1/ConfigMap': (fs) => {
    const obj: Record<string, unknown> = {};
    const data = fs.filter((f) => f.num === 2);
    const binary = fs.filter((f) => f.num === 3);
    if (data.length) obj.data = stringMap(data);
    if (binary.length) obj.binaryData = bytesMap(binary);
    const immutable = fs.find((f) => f.num === 4);
    if (immutable) obj.immutable = varint(immutable) !== 0;
    return obj;
  },
  'v1/Secret': (fs) => {
    const obj: Record<string, unknown> = {};
    const data = fs.filter((f) => f.num === 2);
    const stringData = fs.filter((f) => f.num === 4);
    if (data.length) obj.data = bytesMap(data);
    const type = fs.find((f) => f.num === 3);
    if (type && bytes(type).length > 0) obj.type = text(type);
    if (stringData.length) obj.stringData = stringMap(stringData);
    const immutable = fs.find((f) => f.num === 5);
    if (immutable) obj.immutable = varint(immutable) !== 0;
    return obj;
  },
  'v1/Namespace': (fs) => {
    const spec = fs.find((f) => f.num === 2);
    const finalizers = spec
      ? fields(bytes(spec))
          .filter((f) => f.num === 1)
          .map(text)
      : [];
    return finalizers.length ? { spec: { finalizers } } : {};
  },
};

/** The JSON form of a protobuf-encoded object, or undefined when its kind is not one decoded here. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> | undefined {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC))
    throw new ProtobufDecodeError(
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  const unknown = fields(body.subarray(MAGIC.length));
  const typeMeta = unknown.find((f) => f.num === 1);
  const raw = unknown.find((f) => f.num === 2);
  const tm = typeMeta ? fields(bytes(typeMeta)) : [];
  const apiVersion = tm.find((f) => f.num === 1);
  const kind = tm.find((f) => f.num === 2);
  const gvk = `${apiVersion ? text(apiVersion) : ''}/${kind ? text(kind) : ''}`;
  const decoder = DECODERS[gvk];
  if (!decoder || !raw) return undefined;
  const objectFields = fields(bytes(raw));
  const meta = objectFields.find((f) => f.num === 1);
  return {
    apiVersion: text(apiVersion!),
    kind: text(kind!),
    metadata: meta ? decodeObjectMeta(bytes(meta)) : {},
    ...decoder(objectFields),
  };
}
