// Objects cutover applies: built from cutover.yaml, or loaded from the user's own folder.
export {
  buildService,
  buildDeployment,
  buildDestinationRule,
  buildGateway,
  buildVirtualService,
  testMatchBlock,
} from './build.js';
export * from './names.js';
export { loadManifestTemplates, renderManifests, classify, deploymentColor } from './load-dir.js';
export { substituteString, substituteDocument, coreScalar, type Vars, type UnsetUse } from './substitute.js';
export { LABELS, ANNOTATIONS, MANAGED_BY } from './types.js';
export type * from './types.js';
