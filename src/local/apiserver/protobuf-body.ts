// Decoding of the protobuf request bodies kubectl ≥ 1.32 sends for built-in kinds from its typed
// commands (`kubectl create secret|configmap|namespace`): the `k8s\0` envelope holding a
// runtime.Unknown, whose raw bytes are the object in the go-to-protobuf encoding of k8s.io/api.
// Only the kinds those commands create are described here; others get 415 and clients that can
// fall back to JSON do. Field numbers come from k8s.io/api core/v1 and apimachinery meta/v1
// generated.proto.
import { badRequest, unsupportedMediaType } from '../store/api-error.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Field = { num: number; wire: number; value: number | Buffer };

// Read as a 64-bit integer and returned as Go's int64 would see it: negative int32/int64 values
// travel as 10-byte two's complement varints, which a float loses (2^64 - 1 rounds to 2^64).
function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw badRequest('protobuf: truncated varint');
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [Number(BigInt.asIntN(64, result)), pos];
    shift += 7n;
    if (shift > 63n) throw badRequest('protobuf: varint too long');
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, next] = readVarint(buf, pos);
    pos = next;
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const [v, p] = readVarint(buf, pos);
      out.push({ num, wire, value: v });
      pos = p;
    } else if (wire === 2) {
      const [len, p] = readVarint(buf, pos);
      if (len < 0 || p + len > buf.length) throw badRequest('protobuf: truncated field');
      out.push({ num, wire, value: buf.subarray(p, p + len) });
      pos = p + len;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
    } else {
      throw badRequest(`protobuf: unsupported wire type ${wire}`);
    }
  }
  return out;
}

// 'int'/'bool' are Go value fields (JSON omits their zero); 'int*'/'bool*' are pointers (present only when set).
type Kind =
  | 'string'
  | 'bytes'
  | 'int'
  | 'int*'
  | 'bool'
  | 'bool*'
  | 'stringMap'
  | 'bytesMap'
  | 'strings'
  | 'intOrString'
  | { message: Schema; repeated?: boolean };
type Schema = Record<number, [string, Kind]>;

const OWNER_REFERENCE: Schema = {
  1: ['kind', 'string'],
  3: ['name', 'string'],
  4: ['uid', 'string'],
  5: ['apiVersion', 'string'],
  6: ['controller', 'bool'],
  7: ['blockOwnerDeletion', 'bool'],
};
const OBJECT_META: Schema = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['generation', 'int'],
  11: ['labels', 'stringMap'],
  12: ['annotations', 'stringMap'],
  13: ['ownerReferences', { message: OWNER_REFERENCE, repeated: true }],
  14: ['finalizers', 'strings'],
};
const LABEL_SELECTOR: Schema = {
  1: ['matchLabels', 'stringMap'],
  2: [
    'matchExpressions',
    {
      message: { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'strings'] },
      repeated: true,
    },
  ],
};
const CONTAINER: Schema = {
  1: ['name', 'string'],
  2: ['image', 'string'],
  3: ['command', 'strings'],
  4: ['args', 'strings'],
  5: ['workingDir', 'string'],
  6: [
    'ports',
    {
      message: {
        1: ['name', 'string'],
        2: ['hostPort', 'int'],
        3: ['containerPort', 'int'],
        4: ['protocol', 'string'],
        5: ['hostIP', 'string'],
      },
      repeated: true,
    },
  ],
  7: ['env', { message: { 1: ['name', 'string'], 2: ['value', 'string'] }, repeated: true }],
  8: ['resources', { message: {} }],
  13: ['terminationMessagePath', 'string'],
  14: ['imagePullPolicy', 'string'],
  16: ['stdin', 'bool'],
  17: ['stdinOnce', 'bool'],
  18: ['tty', 'bool'],
  20: ['terminationMessagePolicy', 'string'],
};
const POD_SPEC: Schema = {
  2: ['containers', { message: CONTAINER, repeated: true }],
  3: ['restartPolicy', 'string'],
  4: ['terminationGracePeriodSeconds', 'int*'],
  6: ['dnsPolicy', 'string'],
  7: ['nodeSelector', 'stringMap'],
  8: ['serviceAccountName', 'string'],
  10: ['nodeName', 'string'],
  20: ['initContainers', { message: CONTAINER, repeated: true }],
};
const DEPLOYMENT_SPEC: Schema = {
  1: ['replicas', 'int*'],
  2: ['selector', { message: LABEL_SELECTOR }],
  3: [
    'template',
    { message: { 1: ['metadata', { message: OBJECT_META }], 2: ['spec', { message: POD_SPEC }] } },
  ],
  4: [
    'strategy',
    {
      message: {
        1: ['type', 'string'],
        2: [
          'rollingUpdate',
          { message: { 1: ['maxUnavailable', 'intOrString'], 2: ['maxSurge', 'intOrString'] } },
        ],
      },
    },
  ],
  5: ['minReadySeconds', 'int'],
  6: ['revisionHistoryLimit', 'int*'],
  7: ['paused', 'bool'],
  9: ['progressDeadlineSeconds', 'int*'],
};
const SERVICE_SPEC: Schema = {
  1: [
    'ports',
    {
      message: {
        1: ['name', 'string'],
        2: ['protocol', 'string'],
        3: ['port', 'int'],
        4: ['targetPort', 'intOrString'],
        5: ['nodePort', 'int'],
      },
      repeated: true,
    },
  ],
  2: ['selector', 'stringMap'],
  3: ['clusterIP', 'string'],
  4: ['type', 'string'],
  5: ['externalIPs', 'strings'],
  7: ['sessionAffinity', 'string'],
  12: ['publishNotReadyAddresses', 'bool'],
};

// authorization/v1 and authentication/v1 generated.proto: the reviews `kubectl auth` creates.
const RESOURCE_ATTRIBUTES: Schema = {
  1: ['namespace', 'string'],
  2: ['verb', 'string'],
  3: ['group', 'string'],
  4: ['version', 'string'],
  5: ['resource', 'string'],
  6: ['subresource', 'string'],
  7: ['name', 'string'],
};
const SELF_SUBJECT_REVIEW: Schema = { 1: ['metadata', { message: OBJECT_META }] };

const SCHEMAS: Record<string, Schema> = {
  'authorization.k8s.io/v1 SelfSubjectAccessReview': {
    1: ['metadata', { message: OBJECT_META }],
    2: [
      'spec',
      {
        message: {
          1: ['resourceAttributes', { message: RESOURCE_ATTRIBUTES }],
          2: ['nonResourceAttributes', { message: { 1: ['path', 'string'], 2: ['verb', 'string'] } }],
        },
      },
    ],
  },
  'authorization.k8s.io/v1 SelfSubjectRulesReview': {
    1: ['metadata', { message: OBJECT_META }],
    2: ['spec', { message: { 1: ['namespace', 'string'] } }],
  },
  'authentication.k8s.io/v1 SelfSubjectReview': SELF_SUBJECT_REVIEW,
  'authentication.k8s.io/v1beta1 SelfSubjectReview': SELF_SUBJECT_REVIEW,
  'apps/v1 Deployment': {
    1: ['metadata', { message: OBJECT_META }],
    2: ['spec', { message: DEPLOYMENT_SPEC }],
  },
  'v1 Service': { 1: ['metadata', { message: OBJECT_META }], 2: ['spec', { message: SERVICE_SPEC }] },
  'v1 Secret': {
    1: ['metadata', { message: OBJECT_META }],
    2: ['data', 'bytesMap'],
    3: ['type', 'string'],
    4: ['stringData', 'stringMap'],
    5: ['immutable', 'bool'],
  },
  'v1 ConfigMap': {
    1: ['metadata', { message: OBJECT_META }],
    2: ['data', 'stringMap'],
    3: ['binaryData', 'bytesMap'],
    4: ['immutable', 'bool'],
  },
  'v1 Namespace': {
    1: ['metadata', { message: OBJECT_META }],
    2: ['spec', { message: { 1: ['finalizers', 'strings'] } }],
  },
};

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields(buf)) {
    const entry = schema[f.num];
    if (!entry) continue;
    const [name, kind] = entry;
    setField(out, name, kind, f);
  }
  return out;
}

function setField(out: Record<string, unknown>, name: string, kind: Kind, f: Field): void {
  const bytes = f.value as Buffer;
  if (kind === 'int') {
    if (f.value !== 0) out[name] = f.value as number;
  } else if (kind === 'int*') out[name] = f.value as number;
  else if (kind === 'bool') {
    if (f.value !== 0) out[name] = true;
  } else if (kind === 'bool*') out[name] = f.value !== 0;
  else if (kind === 'intOrString') out[name] = intOrString(bytes);
  // Go writes every non-pointer string, empty or not; its JSON omits the empty ones.
  else if (kind === 'string') {
    if (bytes.length) out[name] = bytes.toString('utf8');
  } else if (kind === 'bytes') out[name] = bytes.toString('base64');
  else if (kind === 'strings') out[name] = [...((out[name] as string[]) ?? []), bytes.toString('utf8')];
  else if (kind === 'stringMap' || kind === 'bytesMap') {
    const [k, v] = mapEntry(bytes);
    out[name] = {
      ...((out[name] as object) ?? {}),
      [k]: kind === 'bytesMap' ? v.toString('base64') : v.toString('utf8'),
    };
  } else if (typeof kind === 'object') {
    const value = decodeMessage(bytes, kind.message);
    out[name] = kind.repeated ? [...((out[name] as unknown[]) ?? []), value] : value;
  }
}

function intOrString(buf: Buffer): number | string {
  const v = decodeMessage(buf, { 1: ['type', 'int*'], 2: ['intVal', 'int*'], 3: ['strVal', 'string'] });
  return v.type === 1 ? String(v.strVal ?? '') : Number(v.intVal ?? 0);
}

function mapEntry(buf: Buffer): [string, Buffer] {
  let key = '';
  let value: Buffer = Buffer.alloc(0);
  for (const f of fields(buf)) {
    if (f.num === 1) key = (f.value as Buffer).toString('utf8');
    if (f.num === 2) value = f.value as Buffer;
  }
  return [key, value];
}

/** The object a protobuf body carries, as JSON; 415 for kinds not described here. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw badRequest('protobuf: the body does not start with the k8s protobuf envelope');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(body.subarray(4))) {
    if (f.num === 1) {
      for (const t of fields(f.value as Buffer)) {
        if (t.num === 1) apiVersion = (t.value as Buffer).toString('utf8');
        if (t.num === 2) kind = (t.value as Buffer).toString('utf8');
      }
    }
    if (f.num === 2) raw = f.value as Buffer;
  }
  const schema = SCHEMAS[`${apiVersion} ${kind}`];
  if (!schema) throw unsupportedMediaType(PROTOBUF, ['application/json', 'application/yaml']);
  return { apiVersion, kind, ...decodeMessage(raw, schema) };
}
