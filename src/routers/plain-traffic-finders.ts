// Every data plane's finder of "who sends plain traffic to these pods": the live-color guard asks
// them all, whatever router the app uses, because another team's routes may reach its pods.
import { gatewayApiPlainTraffic } from './gateway-api/plain-traffic.js';
import { istioPlainTraffic } from './istio/plain-traffic.js';
import type { PlainTrafficFinder } from './plain-traffic.js';
import { serviceSelectorPlainTraffic } from './service/plain-traffic.js';

export const PLAIN_TRAFFIC_FINDERS: PlainTrafficFinder[] = [
  istioPlainTraffic,
  gatewayApiPlainTraffic,
  serviceSelectorPlainTraffic,
];
