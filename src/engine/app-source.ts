// Where the objects of an app come from: the built-in builders (cutover.yaml) or the user's own
// manifest folder (the seed's manifests/). The engine sees one shape either way: who the app is
// (the labels and the identity its answers carry), the shared objects (Service, Secrets…), a
// Deployment per color, and — from a folder — the rendered objects a router may take its routes
// from.
import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { CutoverConfig, Color } from '../config/types.js';
import type { KubeObject } from '../kube/types.js';
import type { ClassifiedManifests } from '../manifests/types.js';
import { ANNOTATIONS, LABELS, MANAGED_BY } from '../manifests/types.js';
import { buildDeployment, buildService } from '../manifests/build.js';
import { colorLabelOf } from '../manifests/color-label.js';
import { deploymentName } from '../manifests/names.js';
import { InputError } from '../errors.js';
import { otherColor } from '../routers/types.js';

/** Hash of what cutover applied to a Deployment; equal hash = nothing to do (re-runs converge). */
export const APPLIED_HASH = 'cutover.dev/applied-hash';

export interface DeploymentInput {
  color: Color;
  /** Full image reference; undefined in manifest mode keeps the manifest's image. */
  image?: string;
  release: string;
  activeColor?: Color;
}

/** Who the app is, whatever router moves its traffic. */
export interface AppSettings {
  /** `namespace/app`: what answers and routes name as the app. */
  appId: string;
  /** Pod label that carries the color. */
  colorLabel: string;
  /** Response header with the serving color alone (what older routes stamped). */
  colorHeader: string;
  /** Prefix of the annotations cutover writes (the switch record). */
  annotationPrefix: string;
}

export interface AppSource {
  readonly mode: 'builders' | 'manifests';
  readonly settings: AppSettings;
  /** Manifests mode: the rendered folder, for a router that takes its routes from it. */
  readonly folder?: { dir: string; rendered: ClassifiedManifests };
  deploymentName(color: Color): string;
  /** Objects both colors share (Service, Secrets, ConfigMaps), to ensure before a Deployment. */
  sharedObjects(): KubeObject[];
  deployment(input: DeploymentInput): KubeObject;
}

export function stampDeployment(obj: KubeObject, input: DeploymentInput): KubeObject {
  const labels = {
    ...(obj.metadata.labels ?? {}),
    [LABELS.release]: input.release,
    [LABELS.managedBy]: MANAGED_BY,
  };
  const image = imageOf(obj) ?? '';
  const annotations = { ...(obj.metadata.annotations ?? {}), [ANNOTATIONS.image]: image };
  const stamped: KubeObject = { ...obj, metadata: { ...obj.metadata, labels, annotations } };
  const hash = cryptoModule().createHash('sha256').update(JSON.stringify(stamped)).digest('hex').slice(0, 16);
  stamped.metadata.annotations = { ...annotations, [APPLIED_HASH]: hash };
  return stamped;
}

type Container = { name?: string; image?: string };

function containersOf(obj: KubeObject): Container[] {
  const spec = obj.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

export function imageOf(obj: KubeObject, container?: string): string | undefined {
  const cs = containersOf(obj);
  return (cs.find((c) => c.name === container) ?? cs[0])?.image;
}

function withImage(obj: KubeObject, container: string, image: string): KubeObject {
  const copy = structuredClone(obj);
  const cs = containersOf(copy);
  const target = cs.find((c) => c.name === container) ?? cs[0];
  if (target) target.image = image;
  return copy;
}

export function builderSource(config: CutoverConfig, namespace: string): AppSource {
  const settings: AppSettings = {
    appId: `${namespace}/${config.app}`,
    colorLabel: LABELS.color,
    colorHeader: config.versionHeader,
    annotationPrefix: 'cutover.dev',
  };
  return {
    mode: 'builders',
    settings,
    deploymentName: (color) => deploymentName(config, color),
    sharedObjects: () => [buildService(config)],
    deployment: (input) => {
      if (!input.image)
        throw new InputError('deploy needs an image', {
          remedy: 'pass --image IMAGE, or --tag TAG with the image repository as `image:` in cutover.yaml',
        });
      return stampDeployment(
        buildDeployment(config, { color: input.color, image: input.image, release: input.release }),
        input,
      );
    },
  };
}

/** Loads and renders the user's folder once, so that every problem surfaces before any write. */
export async function manifestSource(
  config: CutoverConfig,
  namespace: string,
  env: Record<string, string | undefined>,
): Promise<AppSource> {
  const m = config.manifests!;
  // Loaded only in this mode: most apps use the builders, and start-up should not pay for it.
  const { loadManifestTemplates, renderManifests } = await import('../manifests/load-dir.js');
  const templates = await loadManifestTemplates(m.dir);
  const render = (test: Color, active: Color) =>
    renderManifests(templates, { ...env, ...m.variables, COLOR_TEST: test, COLOR_ACTIVE: active });
  const probe = render('blue', 'green');
  const settings: AppSettings = {
    appId: `${namespace}/${config.app}`,
    colorLabel: colorLabelOf(probe),
    colorHeader: config.versionHeader,
    annotationPrefix: 'cutover.dev',
  };
  const deploymentFor = (color: Color, active?: Color): KubeObject => {
    const r = render(color, active ?? otherColor(color));
    const doc =
      r.deployments.find((d) => d.object.metadata.labels?.[settings.colorLabel] === color) ??
      r.deployments[0];
    if (!doc)
      throw new InputError('no Deployment in the manifests folder', {
        file: m.dir,
        remedy: 'add a deployment.yml',
      });
    return doc.object;
  };
  return {
    mode: 'manifests',
    settings,
    folder: { dir: templates.dir, rendered: probe },
    deploymentName: (color) => deploymentFor(color).metadata.name,
    sharedObjects: () => [...probe.services, ...probe.others].map((d) => d.object),
    deployment: (input) => {
      const base = deploymentFor(input.color, input.activeColor);
      const obj = input.image ? withImage(base, config.container, input.image) : base;
      return stampDeployment(obj, input);
    },
  };
}

// node:crypto loads when a deploy stamps its objects: loading it is about a millisecond of every
// start, and a rollback never stamps (docs/adr/0020-rollback-parity-with-kubectl-apply.md).
const load = createRequire(import.meta.url);
function cryptoModule(): typeof Crypto {
  return load('node:crypto') as typeof Crypto;
}
