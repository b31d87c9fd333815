// The official schemas, loaded once and cached:
// - built-in kinds: the validators that `kubernetes-models` precompiled (with ajv) from the
//   Kubernetes OpenAPI document;
// - Istio kinds: the CRD OpenAPI schemas that `@kubernetes-models/istio` ships, compiled here with
//   ajv. Istio serves v1 with the same schema as v1beta1, so v1 objects use the v1beta1 schema.
// - Gateway API kinds: the CRD schemas of `@kubernetes-models/gateway-api` (Gateway API v1.0
//   standard + experimental channel). The package drops the CRDs' CEL rules (x-kubernetes-validations);
//   the ones cutover's users meet are checked in gateway-api-checks.ts.
// The packages are read by file path: their `exports` maps do not publish the schema files.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export type SchemaValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [key: string]: unknown;
};

const require = createRequire(import.meta.url);
const modelsDir = dirname(require.resolve('kubernetes-models/package.json'));
const modelsRequire = createRequire(join(modelsDir, 'package.json'));
const apimachineryDir = dirname(modelsRequire.resolve('@kubernetes-models/apimachinery/package.json'));
const istioDir = dirname(require.resolve('@kubernetes-models/istio/package.json'));
const gatewayApiDir = dirname(require.resolve('@kubernetes-models/gateway-api/package.json'));
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

const BUILTIN_SCHEMA_FILES: Record<string, string> = {
  'v1/Namespace': 'IoK8sApiCoreV1Namespace',
  'v1/Pod': 'IoK8sApiCoreV1Pod',
  'v1/Service': 'IoK8sApiCoreV1Service',
  'v1/Endpoints': 'IoK8sApiCoreV1Endpoints',
  'v1/Secret': 'IoK8sApiCoreV1Secret',
  'v1/ConfigMap': 'IoK8sApiCoreV1ConfigMap',
  'v1/Event': 'IoK8sApiCoreV1Event',
  'apps/v1/Deployment': 'IoK8sApiAppsV1Deployment',
  'apps/v1/ReplicaSet': 'IoK8sApiAppsV1ReplicaSet',
  'coordination.k8s.io/v1/Lease': 'IoK8sApiCoordinationV1Lease',
};

const builtinCache = new Map<string, SchemaValidator | null>();

/** The precompiled validator of a built-in kind (`apps/v1`, `Deployment`), or undefined if none is known. */
export function builtinValidator(apiVersion: string, kind: string): SchemaValidator | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!builtinCache.has(key)) {
    const file = BUILTIN_SCHEMA_FILES[key];
    builtinCache.set(
      key,
      file
        ? (require(join(modelsDir, '_schemas', `${file}.js`)) as { validate: SchemaValidator }).validate
        : null,
    );
  }
  return builtinCache.get(key) ?? undefined;
}

let objectMetaValidator: SchemaValidator | undefined;

/** ObjectMeta's validator, for custom resources (whose CRD schemas leave metadata to the server). */
export function metadataValidator(): SchemaValidator {
  objectMetaValidator ??= (
    require(join(apimachineryDir, '_schemas', 'IoK8sApimachineryPkgApisMetaV1ObjectMeta.js')) as {
      validate: SchemaValidator;
    }
  ).validate;
  return objectMetaValidator;
}

// ajv and ajv-formats are CommonJS; under NodeNext their default export is the module object.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ??
  AjvModule) as unknown as typeof AjvModule.default;
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as typeof addFormatsModule.default;

let ajv: InstanceType<typeof Ajv> | undefined;
function istioAjv(): InstanceType<typeof Ajv> {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
    addFormats(ajv);
  }
  return ajv;
}

const crdCache = new Map<string, { schema: JsonSchema; validate: ValidateFunction } | null>();

/** The CRD schema and its compiled validator for an Istio or Gateway API kind at a served version. */
export function crdSchema(
  group: string,
  version: string,
  kind: string,
): { schema: JsonSchema; validate: ValidateFunction } | undefined {
  // Gateway API stores v1 and serves v1beta1 with the same schema; Istio's v1 is its v1beta1.
  const schemaVersion = group === GATEWAY_API_GROUP ? 'v1' : version === 'v1' ? 'v1beta1' : version;
  const key = `${group}/${schemaVersion}/${kind}`;
  if (!crdCache.has(key)) crdCache.set(key, loadCrdSchema(group, schemaVersion, kind));
  return crdCache.get(key) ?? undefined;
}

function loadCrdSchema(
  group: string,
  version: string,
  kind: string,
): { schema: JsonSchema; validate: ValidateFunction } | null {
  let source: string;
  try {
    const dir = group === GATEWAY_API_GROUP ? gatewayApiDir : istioDir;
    source = readFileSync(join(dir, group, version, `${kind}.js`), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const schema = extractSchemaLiteral(source);
  // apiVersion, kind and metadata are the server's business (it checks them against the URL).
  const properties = { ...(schema.properties ?? {}) };
  delete properties.apiVersion;
  delete properties.kind;
  delete properties.metadata;
  const body: JsonSchema = { ...schema, properties, required: [] };
  if (group !== GATEWAY_API_GROUP) addNewerIstioFields(body);
  else if (kind === 'GatewayClass') addGatewayClassDescription(body);
  return { schema: body, validate: istioAjv().compile(body) };
}

const OPEN_OBJECT: JsonSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/**
 * The packaged Istio schemas predate a few fields current Istio serves; without them Strict
 * field validation would refuse manifests a real cluster accepts. Added as open objects: HTTPRoute
 * `mirrors` and `directResponse` (1.19+/1.21+), TrafficPolicy `proxyProtocol` (1.20+).
 */
function addNewerIstioFields(schema: JsonSchema): void {
  const props = schema.properties;
  if (props) {
    if (props.route && props.match && props.rewrite && !props.mirrors) {
      props.mirrors = { type: 'array', items: OPEN_OBJECT };
      props.directResponse = OPEN_OBJECT;
    }
    if (props.loadBalancer && props.connectionPool && !props.proxyProtocol) props.proxyProtocol = OPEN_OBJECT;
    for (const sub of Object.values(props)) addNewerIstioFields(sub);
  }
  if (schema.items) addNewerIstioFields(schema.items);
  if (typeof schema.additionalProperties === 'object') addNewerIstioFields(schema.additionalProperties);
}

/** The packaged GatewayClass schema lacks `spec.description` (maxLength 64), which the CRD has. */
function addGatewayClassDescription(schema: JsonSchema): void {
  const spec = schema.properties?.spec;
  if (spec?.properties && !spec.properties.description)
    spec.properties.description = { type: 'string', maxLength: 64 };
}

/** The generated model files hold the CRD schema as a JSON literal: `const schema = {…};`. */
function extractSchemaLiteral(source: string): JsonSchema {
  const marker = 'const schema = ';
  const start = source.indexOf(marker);
  const end = source.indexOf('\n};\n', start);
  if (start < 0 || end < 0) throw new Error('unexpected layout of an @kubernetes-models model file');
  return JSON.parse(source.slice(start + marker.length, end + 2)) as JsonSchema;
}
