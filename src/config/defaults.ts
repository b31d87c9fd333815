// Every default of cutover.yaml, in one place. docs/configuration.md lists the same values;
// src/config/config.test.ts checks that the starter file and the docs agree with them.

/** Matches `test=true` anywhere in a Cookie header, with or without a space after `;`
 * (browsers send `a=1; test=true`; the seed's `^(.*?;)?(test=true)(;.*)?$` misses that). */
export const DEFAULT_COOKIE_REGEX = '^(.*?;\\s*)?test=true(;.*)?$';

export const DEFAULTS = {
  port: 3000,
  replicas: 1,
  readinessPath: '/ready',
  router: 'istio' as const,
  serviceType: 'LoadBalancer' as const,
  gateway: {
    className: 'istio',
    hosts: ['*'],
    port: 80,
    selector: { istio: 'ingressgateway' } as Record<string, string>,
    create: true,
  },
  testMatch: { type: 'cookie' as const, name: 'test', value: 'true' },
  versionHeader: 'x-cutover-color',
  drainSeconds: 30,
  lockTimeoutSeconds: 600,
  leaseDurationSeconds: 60,
  rolloutTimeoutSeconds: 300,
  podFailureLimit: 3,
  verifyTimeoutSeconds: 60,
  operationTimeoutSeconds: 1800,
  historyLimit: 20,
  smokeTest: {
    httpStatus: 200,
    httpMethod: 'GET' as const,
    httpAttempts: 10,
    timeoutSeconds: 30,
  },
  hookTimeoutSeconds: 300,
  analysis: {
    provider: 'gateway' as const,
    /** Argo Rollouts' default: the first failed measurement fails the metric. */
    failureLimit: 0,
    /** Argo Rollouts' default consecutiveErrorLimit. */
    consecutiveErrorLimit: 4,
    onInconclusive: 'rollback' as const,
    prePromotion: { durationSeconds: 20, intervalSeconds: 5, load: { ratePerSecond: 20, paths: ['/'] } },
    postPromotion: { durationSeconds: 60, intervalSeconds: 5 },
    webhookTimeoutSeconds: 10,
    commandTimeoutSeconds: 60,
    /** Two scrapes of a new series at Istio's usual 15 s scrape interval. */
    prometheus: { reporter: 'source' as const, windowSeconds: 30, warmupSeconds: 30 },
  },
} as const;

/** Gateway object name when none is given. */
export function defaultGatewayName(app: string): string {
  return `${app}-gateway`;
}

/** RE2 regex for a cookie `name=value` among others, tolerant of `; ` separators. */
export function cookieRegex(name: string, value: string): string {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `^(.*?;\\s*)?${esc(name)}=${esc(value)}(;.*)?$`;
}
