// The kubeconfig `cutover local up` writes. client-node refuses http:// servers unless the
// cluster entry sets insecure-skip-tls-verify (reference §2.1), so it is set; the token is a
// placeholder because the local API server does not authenticate (it listens on loopback only).
import { stringify } from 'yaml';

export const LOCAL_CONTEXT = 'cutover-local';

export function renderKubeconfig(apiUrl: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: LOCAL_CONTEXT, cluster: { server: apiUrl, 'insecure-skip-tls-verify': true } }],
    users: [{ name: LOCAL_CONTEXT, user: { token: 'local-cluster-no-auth' } }],
    contexts: [{ name: LOCAL_CONTEXT, context: { cluster: LOCAL_CONTEXT, user: LOCAL_CONTEXT, namespace } }],
    'current-context': LOCAL_CONTEXT,
    preferences: {},
  });
}
