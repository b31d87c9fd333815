// Loading a user's manifest folder (the seed's manifests/ works unchanged): parse every
// *.yml / *.yaml document once, then render it with variables as often as needed, then
// classify the objects so the engine knows which is which.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Document } from 'yaml';
import { parseAllDocuments } from '../yaml/index.js';
import { InputError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import { referencedNames, substituteDocument, type UnsetUse, type Vars } from './substitute.js';
import type { ClassifiedManifests, ManifestDoc, ManifestTemplates } from './types.js';

export async function loadManifestTemplates(dir: string): Promise<ManifestTemplates> {
  const abs = resolve(dir);
  const files = await listYamlFiles(abs);
  const docs: ManifestDoc[] = [];
  const documents: Document[] = [];
  const names = new Set<string>();
  for (const file of files) {
    const text = await readFile(join(abs, file), 'utf8');
    referencedNames(text).forEach((n) => names.add(n));
    Array.from(parseAllDocuments(text)).forEach((parsed, index) => {
      const object = checkDocument(parsed, file, index);
      if (!object) return;
      docs.push({ file, index, object });
      documents.push(parsed);
    });
  }
  if (docs.length === 0) {
    throw new InputError(`no Kubernetes objects in ${abs}`, {
      file: abs,
      remedy: 'point manifests at a folder of .yml/.yaml files',
    });
  }
  return { dir: abs, docs, variables: [...names].sort(), documents };
}

async function listYamlFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new InputError(`cannot read the manifest folder ${dir}: ${(err as Error).message}`, {
      cause: err,
      file: dir,
      remedy: 'set manifests: in cutover.yaml to an existing folder (relative to cutover.yaml)',
    });
  }
}

/** A document must be a mapping with apiVersion, kind and metadata.name; empty ones are skipped. */
function checkDocument(doc: Document, file: string, index: number): KubeObject | undefined {
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0];
    throw new InputError(
      `not valid YAML${line ? ` (line ${line.line})` : ''}: ${error.message.split('\n')[0]}`,
      {
        file,
        field: `document ${index + 1}`,
        remedy: 'fix the YAML syntax',
      },
    );
  }
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return undefined;
  const obj = value as Partial<KubeObject>;
  const missing = ['apiVersion', 'kind'].filter(
    (k) => typeof (obj as Record<string, unknown>)[k] !== 'string',
  );
  if (
    typeof value !== 'object' ||
    Array.isArray(value) ||
    missing.length ||
    typeof obj.metadata?.name !== 'string'
  ) {
    throw new InputError(
      `document ${index + 1} is not a Kubernetes object (needs apiVersion, kind and metadata.name)`,
      {
        file,
        field: missing[0] ?? 'metadata.name',
        remedy: 'each YAML document in the folder must be one Kubernetes object',
      },
    );
  }
  return value as KubeObject;
}

/**
 * Substitutes variables into every document (or only those of `files`) and classifies them.
 * All unset variables, with file and field of each use, come in ONE InputError.
 */
export function renderManifests(
  templates: ManifestTemplates,
  vars: Vars,
  files?: string[],
): ClassifiedManifests {
  const rendered: ManifestDoc[] = [];
  const unset: Array<UnsetUse & { file: string }> = [];
  templates.docs.forEach((doc, i) => {
    if (files && !files.includes(doc.file)) return;
    const clone = (templates.documents[i] as Document).clone();
    for (const use of substituteDocument(clone, vars)) unset.push({ ...use, file: doc.file });
    rendered.push({ file: doc.file, index: doc.index, object: clone.toJS() as KubeObject });
  });
  if (unset.length) throw unsetError(templates.dir, unset);
  return classify(rendered);
}

function unsetError(dir: string, unset: Array<UnsetUse & { file: string }>): InputError {
  const names = [...new Set(unset.map((u) => u.name))].sort();
  const uses = names.map((n) => {
    const where = unset.filter((u) => u.name === n).map((u) => `${u.file}: ${u.field}`);
    return `  ${n}: used at ${where.join(', ')}`;
  });
  return new InputError(
    `unset variable${names.length > 1 ? 's' : ''} ${names.join(', ')} in ${dir}\n${uses.join('\n')}`,
    {
      file: join(dir, unset[0]!.file),
      field: unset[0]!.field,
      remedy: `export ${names.join(', ')} (or set manifests.variables in cutover.yaml); cutover never substitutes an empty value for an unset one`,
    },
  );
}

export function classify(docs: ManifestDoc[]): ClassifiedManifests {
  const out: ClassifiedManifests = {
    deployments: [],
    services: [],
    gateways: [],
    virtualServices: [],
    destinationRules: [],
    others: [],
  };
  for (const doc of docs) {
    const { apiVersion, kind } = doc.object;
    const istio = apiVersion.startsWith('networking.istio.io/');
    if (kind === 'Deployment' && apiVersion === 'apps/v1') out.deployments.push(doc);
    else if (kind === 'Service' && apiVersion === 'v1') out.services.push(doc);
    else if (istio && kind === 'Gateway') out.gateways.push(doc);
    else if (istio && kind === 'VirtualService')
      out.virtualServices.push({ ...doc, hasTestRoute: hasMatchedRoute(doc.object) });
    else if (istio && kind === 'DestinationRule') out.destinationRules.push(doc);
    else out.others.push(doc);
  }
  return out;
}

function hasMatchedRoute(vs: KubeObject): boolean {
  const http = (vs.spec as { http?: Array<{ match?: unknown[] }> } | undefined)?.http ?? [];
  return http.some((r) => Array.isArray(r.match) && r.match.length > 0);
}

/** The color a rendered Deployment is for (its `color` label), if any. */
export function deploymentColor(doc: ManifestDoc): string | undefined {
  const meta = doc.object.metadata.labels?.color;
  const tmpl = (
    doc.object.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined
  )?.template?.metadata?.labels?.color;
  return meta ?? tmpl;
}
