// Turns a validated cutover.yaml into CutoverConfig: defaults filled in from defaults.ts, paths
// made absolute, shorthand forms expanded. Pure: no I/O.
import { dirname, resolve } from 'node:path';
import { resolveAnalysis, type RawAnalysis } from './analysis-resolve.js';
import { checkAnalysisForRouter } from './analysis-router-check.js';
import { cookieRegex, DEFAULT_COOKIE_REGEX, DEFAULTS, defaultGatewayName } from './defaults.js';
import type {
  Color,
  CutoverConfig,
  ExecSmokeTest,
  CommandSmokeTest,
  Hook,
  RouterKind,
  SmokeTest,
  TestMatch,
} from './types.js';

/** The validated YAML (loose types: the schema has checked the shapes). */
export interface RawConfig {
  app: string;
  namespace?: string;
  image?: string;
  container?: string;
  port?: number;
  replicas?: number;
  readinessPath?: string;
  env?: Record<string, string>;
  secrets?: Partial<Record<Color, string>>;
  imagePullSecrets?: string[];
  router?: RouterKind;
  serviceType?: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
  previewUrl?: string;
  gateway?: {
    name?: string;
    className?: string;
    namespace?: string;
    hosts?: string[];
    port?: number;
    selector?: Record<string, string>;
    create?: boolean;
  };
  gatewayUrl?: string;
  testMatch?: { type: 'cookie' | 'header'; name?: string; value?: string; regex?: string };
  versionHeader?: string;
  smokeTests?: RawCheck[];
  hooks?: { preTest?: RawCheck[] };
  drainSeconds?: number;
  lockTimeoutSeconds?: number;
  leaseDurationSeconds?: number;
  rolloutTimeoutSeconds?: number;
  podFailureLimit?: number;
  verifyTimeoutSeconds?: number;
  operationTimeoutSeconds?: number;
  historyLimit?: number;
  manifests?: string | { dir: string; variables?: Record<string, string> };
  analysis?: RawAnalysis;
}

interface RawCheck {
  name?: string;
  timeoutSeconds?: number;
  http?: {
    path: string;
    method?: 'GET' | 'HEAD' | 'POST';
    status?: number;
    expect?: string[];
    attempts?: number;
  };
  exec?: { command: string[] | string; container?: string };
  command?: string;
}

export function resolveConfig(raw: RawConfig, file: string): CutoverConfig {
  const config = resolveFields(raw, file);
  checkAnalysisForRouter(config);
  return config;
}

function resolveFields(raw: RawConfig, file: string): CutoverConfig {
  const base = file ? dirname(file) : process.cwd();
  const container = raw.container ?? raw.app;
  return {
    file,
    app: raw.app,
    namespace: raw.namespace,
    imageRepository: raw.image,
    container,
    port: raw.port ?? DEFAULTS.port,
    replicas: raw.replicas ?? DEFAULTS.replicas,
    readinessPath: raw.readinessPath ?? DEFAULTS.readinessPath,
    env: { ...raw.env },
    secrets: { ...raw.secrets },
    imagePullSecrets: [...(raw.imagePullSecrets ?? [])],
    router: raw.router ?? DEFAULTS.router,
    serviceType: raw.serviceType ?? DEFAULTS.serviceType,
    previewUrl: raw.previewUrl?.replace(/\/+$/, ''),
    gateway: {
      name: raw.gateway?.name ?? defaultGatewayName(raw.app),
      className: raw.gateway?.className ?? DEFAULTS.gateway.className,
      ...(raw.gateway?.namespace ? { namespace: raw.gateway.namespace } : {}),
      hosts: raw.gateway?.hosts ?? [...DEFAULTS.gateway.hosts],
      port: raw.gateway?.port ?? DEFAULTS.gateway.port,
      selector: raw.gateway?.selector ?? { ...DEFAULTS.gateway.selector },
      create: raw.gateway?.create ?? DEFAULTS.gateway.create,
    },
    gatewayUrl: raw.gatewayUrl?.replace(/\/+$/, ''),
    testMatch: resolveTestMatch(raw.testMatch),
    versionHeader: (raw.versionHeader ?? DEFAULTS.versionHeader).toLowerCase(),
    smokeTests: (raw.smokeTests ?? []).map((c, i) => resolveCheck(c, i, container, 'smoke')),
    hooks: {
      preTest: (raw.hooks?.preTest ?? []).map((c, i) => resolveCheck(c, i, container, 'hook') as Hook),
    },
    drainSeconds: raw.drainSeconds ?? DEFAULTS.drainSeconds,
    lockTimeoutSeconds: raw.lockTimeoutSeconds ?? DEFAULTS.lockTimeoutSeconds,
    leaseDurationSeconds: raw.leaseDurationSeconds ?? DEFAULTS.leaseDurationSeconds,
    rolloutTimeoutSeconds: raw.rolloutTimeoutSeconds ?? DEFAULTS.rolloutTimeoutSeconds,
    podFailureLimit: raw.podFailureLimit ?? DEFAULTS.podFailureLimit,
    verifyTimeoutSeconds: raw.verifyTimeoutSeconds ?? DEFAULTS.verifyTimeoutSeconds,
    operationTimeoutSeconds: raw.operationTimeoutSeconds ?? DEFAULTS.operationTimeoutSeconds,
    historyLimit: raw.historyLimit ?? DEFAULTS.historyLimit,
    manifests: resolveManifests(raw.manifests, base),
    analysis: resolveAnalysis(raw.analysis, file, base),
  };
}

function resolveTestMatch(t: RawConfig['testMatch']): TestMatch {
  if (t?.type === 'header') return { type: 'header', name: t.name!.toLowerCase(), value: t.value! };
  const name = t?.name ?? DEFAULTS.testMatch.name;
  const value = t?.value ?? DEFAULTS.testMatch.value;
  const regex =
    t?.regex ?? (name === 'test' && value === 'true' ? DEFAULT_COOKIE_REGEX : cookieRegex(name, value));
  return { type: 'cookie', name, value, regex };
}

function resolveCheck(c: RawCheck, index: number, container: string, kind: 'smoke' | 'hook'): SmokeTest {
  const timeoutMs =
    (c.timeoutSeconds ??
      (kind === 'hook' ? DEFAULTS.hookTimeoutSeconds : DEFAULTS.smokeTest.timeoutSeconds)) * 1000;
  if (c.http) {
    return {
      type: 'http',
      name: c.name ?? `GET ${c.http.path}`,
      path: c.http.path,
      method: c.http.method ?? DEFAULTS.smokeTest.httpMethod,
      status: c.http.status ?? DEFAULTS.smokeTest.httpStatus,
      expect: c.http.expect ?? [],
      timeoutMs,
      attempts: c.http.attempts ?? DEFAULTS.smokeTest.httpAttempts,
    };
  }
  if (c.exec) {
    const command = typeof c.exec.command === 'string' ? ['sh', '-c', c.exec.command] : c.exec.command;
    const exec: ExecSmokeTest = {
      type: 'exec',
      name: c.name ?? command.join(' '),
      command,
      container: c.exec.container ?? container,
      timeoutMs,
    };
    return exec;
  }
  const cmd: CommandSmokeTest = {
    type: 'command',
    name: c.name ?? `${kind} ${index + 1}`,
    run: c.command!,
    timeoutMs,
  };
  return cmd;
}

function resolveManifests(m: RawConfig['manifests'], base: string): CutoverConfig['manifests'] {
  if (m === undefined) return undefined;
  if (typeof m === 'string') return { dir: resolve(base, m), variables: {} };
  return { dir: resolve(base, m.dir), variables: { ...m.variables } };
}
