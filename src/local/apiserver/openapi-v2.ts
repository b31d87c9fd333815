// A minimal OpenAPI v2 document for kubectl ≤ 1.29, which reads /openapi/v2 (as protobuf) to
// learn whether PATCH of a kind takes the fieldValidation parameter. Like the v3 documents it
// holds only PATCH operations with x-kubernetes-group-version-kind and no schemas, so kubectl
// leaves validation to the server and builds strategic merge patches from its compiled-in types.
// The protobuf is gnostic's openapi_v2.Document (google/gnostic openapiv2/OpenAPIv2.proto).
import { RESOURCE_TYPES, type ResourceType } from '../resources.js';

/** What kubectl puts in Accept. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** What the real server answers with: `@` is not valid in a media type, so the response spells it with a dot. */
export const OPENAPI_V2_PROTOBUF_RESPONSE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

interface PatchPath {
  path: string;
  gvk: { group: string; version: string; kind: string };
}

function patchPaths(): PatchPath[] {
  const out: PatchPath[] = [];
  for (const r of RESOURCE_TYPES) {
    for (const version of r.versions) {
      out.push({ path: itemPath(r, version), gvk: { group: r.group, version, kind: r.kind } });
    }
  }
  return out;
}

function itemPath(r: ResourceType, version: string): string {
  const prefix = r.group ? `/apis/${r.group}/${version}` : `/api/${version}`;
  return r.namespaced
    ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}`
    : `${prefix}/${r.resource}/{name}`;
}

export function openApiV2Json(): object {
  const paths: Record<string, object> = {};
  for (const p of patchPaths()) {
    paths[p.path] = {
      patch: {
        'x-kubernetes-group-version-kind': p.gvk,
        parameters: [{ name: 'fieldValidation', in: 'query', type: 'string', uniqueItems: true }],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.33.0' }, paths, definitions: {} };
}

// --- protobuf wire format: just strings and nested messages (wire type 2) ---

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

function field(num: number, payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([varint((num << 3) | 2), varint(data.length), data]);
}

function message(...fields: Buffer[]): Buffer {
  return Buffer.concat(fields);
}

function patchOperation(p: PatchPath): Buffer {
  const query = message(field(2, 'query'), field(4, 'fieldValidation'), field(6, 'string')); // QueryParameterSubSchema
  const nonBody = message(field(3, query)); // NonBodyParameter.query_parameter_sub_schema
  const parameter = message(field(2, nonBody)); // Parameter.non_body_parameter
  const parametersItem = message(field(1, parameter)); // ParametersItem.parameter
  const gvkYaml = `group: "${p.gvk.group}"\nkind: ${p.gvk.kind}\nversion: ${p.gvk.version}\n`;
  const extension = message(
    field(1, 'x-kubernetes-group-version-kind'),
    field(2, message(field(2, gvkYaml))),
  ); // NamedAny{name, Any{yaml}}
  return message(field(8, parametersItem), field(13, extension)); // Operation.parameters, .vendor_extension
}

export function openApiV2Protobuf(): Buffer {
  const namedPaths = patchPaths().map((p) =>
    field(2, message(field(1, p.path), field(2, message(field(8, patchOperation(p)))))),
  );
  const info = message(field(1, 'Kubernetes'), field(2, 'v1.33.0'));
  return message(field(1, '2.0'), field(2, info), field(8, Buffer.concat(namedPaths)));
}
