// The `istio` GatewayClass, as istiod installs it: Gateways of this class (Gateway API) are served
// by the local gateway, each on its own loopback address (see gateway/gateway-api/).
import { GATEWAY_API_GROUP, findResource } from './resources.js';
import type { ObjectStore } from './store/types.js';
import { LOCAL_CONTROLLER_NAME } from './gateway/gateway-api/compile.js';

export const LOCAL_GATEWAY_CLASS = 'istio';

export function ensureGatewayClass(store: ObjectStore): void {
  const classes = findResource(GATEWAY_API_GROUP, 'gatewayclasses')!;
  if (store.get(classes, undefined, LOCAL_GATEWAY_CLASS)) return;
  store.create(classes, {
    apiVersion: `${GATEWAY_API_GROUP}/v1`,
    kind: 'GatewayClass',
    metadata: { name: LOCAL_GATEWAY_CLASS },
    spec: {
      controllerName: LOCAL_CONTROLLER_NAME,
      description: 'The default Istio GatewayClass',
    },
  });
}
