// Object names cutover gives the things it builds. Stable: the cluster is the state, so
// renaming any of these orphans objects in every cluster that ran an older version.
import type { Color, CutoverConfig } from '../config/types.js';

export const ISTIO_API_VERSION = 'networking.istio.io/v1';

export function deploymentName(c: Pick<CutoverConfig, 'app'>, color: Color): string {
  return `${c.app}-${color}`;
}
export function serviceName(c: Pick<CutoverConfig, 'app'>): string {
  return c.app;
}
export function virtualServiceName(c: Pick<CutoverConfig, 'app'>): string {
  return c.app;
}
export function destinationRuleName(c: Pick<CutoverConfig, 'app'>): string {
  return c.app;
}
/** Route names in the VirtualService: the test route first, the default route last. */
export function testRouteName(c: Pick<CutoverConfig, 'app'>): string {
  return `${c.app}-test`;
}
export function defaultRouteName(c: Pick<CutoverConfig, 'app'>): string {
  return `${c.app}-default`;
}
