// Regenerates known-fields.generated.json: for every object type reachable from the built-in kinds
// the local cluster serves, its JSON field names and their types, taken from the official
// Kubernetes OpenAPI as @kubernetes/client-node compiles it (ObjectSerializer attribute maps).
// Loading client-node costs over a second, so the server reads this small file instead.
//   node --import tsx src/local/apiserver/validation/generate-known-fields.ts
import { writeFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';

const ROOTS = [
  'V1Namespace',
  'V1Pod',
  'V1Service',
  'V1Endpoints',
  'CoreV1Event',
  'V1Secret',
  'V1ConfigMap',
  'V1Deployment',
  'V1ReplicaSet',
  'V1Lease',
  'V1Scale',
  'V1DeleteOptions',
];

type Attr = { baseName: string; type: string; format: string };
type Model = { getAttributeTypeMap(): Attr[] };

const models = k8s as unknown as Record<string, Model | undefined>;
const out: Record<string, Record<string, string>> = {};

function innerType(type: string): string | undefined {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return innerType(array[1]!) ?? array[1];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return innerType(map[1]!) ?? map[1];
  return models[type]?.getAttributeTypeMap ? type : undefined;
}

function visit(name: string): void {
  if (out[name]) return;
  const model = models[name];
  if (!model?.getAttributeTypeMap) return;
  out[name] = {};
  for (const attr of model.getAttributeTypeMap()) {
    // Numbers keep their OpenAPI format (int32, int64, double): Go's decode errors name it.
    out[name]![attr.baseName] = attr.type === 'number' && attr.format ? `number:${attr.format}` : attr.type;
    const inner = innerType(attr.type);
    if (inner) visit(inner);
  }
}

for (const root of ROOTS) visit(root);
const target = new URL('./known-fields.generated.json', import.meta.url);
writeFileSync(target, JSON.stringify({ roots: ROOTS, types: out }) + '\n');
console.log(`wrote ${Object.keys(out).length} types to ${target.pathname}`);
