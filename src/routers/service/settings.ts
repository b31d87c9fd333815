// What the Service router writes and where: derived from cutover.yaml by the factory.
export interface ServiceRouterSettings {
  namespace: string;
  app: string;
  /** The app's Service (what users reach): its selector names the live color. */
  serviceName: string;
  /** The preview Service testers use: its selector names the color under test. */
  previewServiceName: string;
  appLabel: string;
  colorLabel: string;
  /** Pod label with the release (cutover.dev/release): checked in the endpoints when pods carry it. */
  releaseLabel: string;
  servicePort: number;
  targetPort: number | string;
  /** Service type of both Services; LoadBalancer makes them reachable from outside (and verifiable). */
  serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  annotationPrefix: string;
  /** Base URLs that reach the Services from where cutover runs; else the load-balancer address. */
  url?: string;
  previewUrl?: string;
  /** Host header to send, if the URL is an ingress that routes by host. */
  host?: string;
}
