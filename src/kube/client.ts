// The KubeClient over raw HTTP. Raw requests rather than client-node's generated APIs because:
// client-node takes ~1 s to import (CLI start-up budget is 400 ms), and raw requests give the
// exact content type (merge patch for Istio kinds) with one round trip per call.
import { InvalidError, NotFoundError, RequestAbortedError } from './errors.js';
import { createCredentials } from './credentials.js';
import { clientSettings } from './defaults.js';
import { callSignal, sendRequest, type ReadBack, type RequestContext, type RequestSpec } from './request.js';
import {
  collectionPath,
  fromDiscovery,
  groupVersionPath,
  knownResource,
  objectPath,
  type ResourceInfo,
} from './resource-paths.js';
import type { Agent } from 'node:http';
import { proxyFor } from './proxy.js';
import { createTransport, type TlsSettings, type Transport } from './transport.js';
import { followWatch } from './watch.js';
import { createOutcome, deleteOutcome, patchOutcome, replaceOutcome } from './write-outcome.js';
import type {
  CallOptions,
  DeleteOptions,
  ExecOptions,
  ExecResult,
  KubeClient,
  KubeClientOptions,
  KubeDeps,
  KubeList,
  KubeObject,
  ListOptions,
  LogOptions,
  ObjectRef,
  PodRef,
  ResolvedKubeConfig,
  WatchEvent,
  WatchOptions,
} from './types.js';

/** Sleep, clock and logger of the real world; the fetch comes from the client's own transport. */
export function defaultKubeDeps(): Omit<KubeDeps, 'fetch'> {
  return {
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      }),
    clock: () => Date.now(),
    random: Math.random,
    logger: { debug: () => {}, warn: (m) => process.stderr.write(`warning: ${m}\n`) },
  };
}

export function createKubeClient(
  config: ResolvedKubeConfig,
  deps: Partial<KubeDeps> = {},
  options: KubeClientOptions = {},
): KubeClient {
  return new HttpKubeClient(config, deps, options);
}

class HttpKubeClient implements KubeClient {
  readonly namespace: string;
  readonly server: string;
  readonly context: string;
  #requests = 0;
  readonly #ctx: RequestContext;
  readonly #transport: Transport;
  readonly #discovered = new Map<string, Promise<unknown>>();

  constructor(config: ResolvedKubeConfig, deps: Partial<KubeDeps>, options: KubeClientOptions) {
    this.namespace = config.namespace;
    this.server = config.cluster.server;
    this.context = config.contextName;
    this.#transport = createTransport(
      {
        caPem: config.cluster.caPem,
        certPem: config.user.clientCertPem,
        keyPem: config.user.clientKeyPem,
        insecureSkipTlsVerify: config.cluster.insecureSkipTlsVerify,
        servername: config.cluster.tlsServerName,
      },
      proxyFor(config.cluster.server, config.cluster.proxyUrl, config.env),
    );
    const full: KubeDeps = { ...defaultKubeDeps(), fetch: this.#transport.fetch, ...deps };
    const credentials = createCredentials(config, { clock: full.clock });
    this.#ctx = {
      server: this.server,
      context: this.context,
      deps: full,
      settings: clientSettings(options),
      signal: options.signal,
      credentials: () => credentials.current(),
      renewCredentials: () => credentials.renewAfterUnauthorized(),
      count: () => void this.#requests++,
    };
  }

  get requestCount(): number {
    return this.#requests;
  }

  async get<T extends KubeObject>(ref: ObjectRef, options: CallOptions = {}): Promise<T> {
    const { path, what } = await this.#objectPath(ref, 'get', options.signal);
    return this.#json<T>({ method: 'GET', path, what, kind: 'read', signal: options.signal });
  }

  async getOptional<T extends KubeObject>(ref: ObjectRef, options: CallOptions = {}): Promise<T | undefined> {
    try {
      return await this.get<T>(ref, options);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    options: ListOptions = {},
  ): Promise<KubeList<T>> {
    const info = await this.#resource(apiVersion, kind, options.signal);
    const ns = namespace ?? this.namespace;
    const path = collectionPath(apiVersion, info, ns);
    const query = selectors(options);
    const body = await this.#json<{ items?: T[]; metadata?: { resourceVersion?: string } }>({
      method: 'GET',
      path,
      query,
      what: `list ${info.plural}${ns ? ` in ${ns}` : ''}`,
      kind: 'read',
      signal: options.signal,
    });
    // The API server leaves apiVersion and kind out of list items; put them back.
    const items = (body.items ?? []).map((o) => ({ ...o, apiVersion, kind }));
    return { items, resourceVersion: body.metadata?.resourceVersion ?? '' };
  }

  async create<T extends KubeObject>(obj: T, options: CallOptions = {}): Promise<T> {
    const { signal } = options;
    const info = await this.#resource(obj.apiVersion, obj.kind, signal);
    const ns = obj.metadata.namespace ?? this.namespace;
    const path = collectionPath(obj.apiVersion, info, ns);
    const what = `create ${describe(info, info.namespaced ? ns : '', obj.metadata.name)}`;
    const ref = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: ns };
    const readBack = this.#readBack(ref, (now) => createOutcome(what, obj, now));
    return this.#json<T>({ method: 'POST', path, body: obj, what, kind: 'create', signal, readBack });
  }

  async replace<T extends KubeObject>(obj: T, options: CallOptions = {}): Promise<T> {
    const { signal } = options;
    const ref = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
    };
    const { path, what } = await this.#objectPath(ref, 'replace', signal);
    if (!obj.metadata.resourceVersion) {
      // An unconditional PUT could overwrite another writer's change: refuse before sending.
      throw new InvalidError(422, {
        reason: 'Invalid',
        message: `${what}: metadata.resourceVersion must be set (read the object first)`,
      });
    }
    const readBack = this.#readBack(ref, (now) => replaceOutcome(what, obj, now));
    return this.#json<T>({
      method: 'PUT',
      path,
      body: obj,
      what,
      kind: 'conditional-write',
      signal,
      readBack,
    });
  }

  async mergePatch<T extends KubeObject>(
    ref: ObjectRef,
    patch: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<T> {
    const { signal } = options;
    const { path, what } = await this.#objectPath(ref, 'patch', signal);
    const contentType = 'application/merge-patch+json';
    const conditional = (patch.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    const readBack = this.#readBack(ref, (now) => patchOutcome(what, patch, now));
    return this.#json<T>({
      method: 'PATCH',
      path,
      body: patch,
      contentType,
      what,
      kind: conditional ? 'conditional-write' : 'write',
      signal,
      readBack,
    });
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<void> {
    const { signal } = options;
    const { path, what } = await this.#objectPath(ref, 'delete', signal);
    const preconditions =
      options.resourceVersion || options.uid
        ? { resourceVersion: options.resourceVersion, uid: options.uid }
        : undefined;
    const body = {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: options.propagationPolicy ?? 'Background',
      gracePeriodSeconds: options.gracePeriodSeconds,
      preconditions,
    };
    const readBack = this.#readBack(ref, (now) => deleteOutcome(what, options, now));
    await sendRequest(this.#ctx, {
      method: 'DELETE',
      path,
      body,
      what,
      kind: preconditions ? 'conditional-write' : 'write',
      signal,
      readBack,
    });
  }

  async *watch<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    options: WatchOptions = {},
  ): AsyncIterable<WatchEvent<T>> {
    let info: ResourceInfo;
    try {
      info = await this.#resource(apiVersion, kind, options.signal);
    } catch (err) {
      if (options.signal?.aborted) return;
      throw err;
    }
    const ns = options.namespace ?? this.namespace;
    const query = selectors(options);
    query.set('watch', 'true');
    query.set('allowWatchBookmarks', 'true');
    const request: RequestSpec = {
      method: 'GET',
      path: collectionPath(apiVersion, info, ns),
      query,
      what: `watch ${info.plural}${ns ? ` in ${ns}` : ''}`,
      kind: 'read',
      signal: options.signal,
    };
    yield* followWatch<T>(this.#ctx, { apiVersion, kind, request, options });
  }

  async exec(
    pod: PodRef,
    container: string | undefined,
    command: string[],
    options: ExecOptions = {},
  ): Promise<ExecResult> {
    this.#ctx.count();
    const signal = callSignal(this.#ctx, options.signal);
    const what = `exec in pod ${pod.namespace ?? this.namespace}/${pod.name}`;
    if (signal?.aborted) throw new RequestAbortedError(what, signal.reason);
    // Loaded on first use: only checks and hooks exec, and start-up should not pay for it.
    const { runExec } = await import('./exec.js');
    return runExec({
      server: this.server,
      namespace: pod.namespace ?? this.namespace,
      pod: pod.name,
      container,
      command,
      ...(await this.#execCredentials()),
      timeoutMs: options.timeoutMs ?? 300_000,
      connectTimeoutMs: this.#ctx.settings.timeouts.connectMs + this.#ctx.settings.timeouts.firstByteMs,
      signal,
      context: this.context,
    });
  }

  async logs(pod: PodRef, options: LogOptions = {}): Promise<string> {
    const ns = pod.namespace ?? this.namespace;
    const query = new URLSearchParams();
    if (options.container) query.set('container', options.container);
    if (options.tailLines !== undefined) query.set('tailLines', String(options.tailLines));
    if (options.sinceSeconds !== undefined) query.set('sinceSeconds', String(options.sinceSeconds));
    if (options.previous) query.set('previous', 'true');
    if (options.timestamps) query.set('timestamps', 'true');
    const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod.name)}/log`;
    const res = await sendRequest(this.#ctx, {
      method: 'GET',
      path,
      query,
      what: `logs of pod ${ns}/${pod.name}`,
      kind: 'read',
      accept: '*/*',
      signal: options.signal,
    });
    return res.text;
  }

  close(): void {
    this.#transport.close();
  }

  /** Headers, TLS and proxy agent for the exec WebSocket: the same credentials and proxy as every request. */
  async #execCredentials(): Promise<{ headers: Record<string, string>; tls: TlsSettings; agent?: Agent }> {
    const { headers, clientCert } = await this.#ctx.credentials();
    const tls = clientCert
      ? { ...this.#transport.tls, certPem: clientCert.certPem, keyPem: clientCert.keyPem }
      : this.#transport.tls;
    const agent = this.#transport.webSocketAgent(this.server, clientCert);
    return { headers, tls, agent };
  }

  /** How a write whose answer was lost is settled: GET the object, judge what it shows. */
  #readBack(ref: ObjectRef, judge: ReadBack['judge']): ReadBack {
    return { ref, judge, read: (signal) => this.getOptional(ref, { signal }) };
  }

  async #json<T>(spec: RequestSpec): Promise<T> {
    const res = await sendRequest(this.#ctx, spec);
    return JSON.parse(res.text) as T;
  }

  async #objectPath(
    ref: ObjectRef,
    verb: string,
    signal: AbortSignal | undefined,
  ): Promise<{ path: string; what: string }> {
    const info = await this.#resource(ref.apiVersion, ref.kind, signal);
    const ns = ref.namespace ?? this.namespace;
    return {
      path: objectPath(ref.apiVersion, info, ns, ref.name),
      what: `${verb} ${describe(info, info.namespaced ? ns : '', ref.name)}`,
    };
  }

  async #resource(apiVersion: string, kind: string, signal: AbortSignal | undefined): Promise<ResourceInfo> {
    const known = knownResource(apiVersion, kind);
    if (known) return known;
    let doc = this.#discovered.get(apiVersion);
    if (!doc) {
      const path = groupVersionPath(apiVersion);
      doc = this.#json({ method: 'GET', path, what: `discover ${apiVersion}`, kind: 'read', signal });
      // A failed discovery is not remembered: the next call asks again.
      doc.catch(() => this.#discovered.delete(apiVersion));
      this.#discovered.set(apiVersion, doc);
    }
    const info = fromDiscovery(await doc, kind);
    if (!info) {
      throw new InvalidError(404, {
        reason: 'NotFound',
        message: `the server at ${this.server} does not serve kind ${kind} in ${apiVersion}`,
      });
    }
    return info;
  }
}

function selectors(options: ListOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (options.labelSelector) q.set('labelSelector', options.labelSelector);
  if (options.fieldSelector) q.set('fieldSelector', options.fieldSelector);
  return q;
}

function describe(info: ResourceInfo, ns: string, name: string): string {
  return `${info.plural} ${ns ? `${ns}/` : ''}${name}`;
}
