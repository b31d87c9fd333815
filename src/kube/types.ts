// The contract of cutover's cluster access layer. The engine, routers and checks speak only
// these types; the implementation (src/kube/client.ts) talks HTTP to the API server.
//
// What must stay true:
// - Every call is one HTTP request, plus bounded, logged retries of transient failures
//   (src/kube/retry-policy.ts), counted in `requestCount`. The only GET-before-write is the read
//   that settles a write whose answer was lost (src/kube/write-outcome.ts). ADR 0008.
// - Every request is bounded by connect / first-byte / idle / total clocks (src/kube/defaults.ts)
//   and stops at once when the client's signal (KubeClientOptions.signal) or the call's own
//   (CallOptions.signal) aborts: RequestAbortedError.
// - Errors are typed (src/kube/errors.ts): NotFoundError, ConflictError, AlreadyExistsError,
//   InvalidError, KubeApiError for the rest; 401/403, refused connections, DNS failures and
//   timeouts become UnreachableError (exit 5) with a remedy.
// - Writes to custom resources (Istio kinds) use JSON merge patch, never strategic merge patch.
//
// Functions (src/kube/index.ts):
//   loadKubeConfig(options: LoadKubeConfigOptions): ResolvedKubeConfig      // throws UnreachableError/InputError
//   createKubeClient(config: ResolvedKubeConfig, deps?: Partial<KubeDeps>, options?: KubeClientOptions): KubeClient
//   connect(options: LoadKubeConfigOptions, deps?): KubeClient              // both in one
//   errors: NotFoundError, ConflictError, AlreadyExistsError, InvalidError, KubeApiError (src/kube/errors.ts)

/** Standard object metadata; only the fields cutover reads or writes are named. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
  }>;
  [key: string]: unknown;
}

/** Any Kubernetes object as JSON. `spec`/`status` stay untyped: read them with care. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Names one object. `namespace` defaults to the client's namespace for namespaced kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** The reference of an object read from the cluster (its own namespace, else `namespace`). */
export function refOf(obj: KubeObject, namespace = 'default'): Required<ObjectRef> {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
    namespace: obj.metadata.namespace ?? namespace,
  };
}

/** A pod to exec in or read logs from. */
export interface PodRef {
  name: string;
  namespace?: string;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  items: T[];
  /** The list's resourceVersion: start a watch from here to miss nothing. */
  resourceVersion: string;
}

export interface ListOptions extends CallOptions {
  /** e.g. `app=myapp,color=blue` */
  labelSelector?: string;
  fieldSelector?: string;
}

export interface DeleteOptions extends CallOptions {
  /** Precondition: delete only if the object still has this resourceVersion (else ConflictError). */
  resourceVersion?: string;
  /** Precondition on uid (else ConflictError). */
  uid?: string;
  /** Default 'Background' (as kubectl): dependents (ReplicaSets, Pods) are removed by the GC. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
}

export interface WatchOptions extends ListOptions {
  /** Namespace to watch; undefined = the client's namespace; '' = all namespaces. */
  namespace?: string;
  /** Start after this resourceVersion (from a list). Undefined: the server sends current state first. */
  resourceVersion?: string;
  /** Ask the server to end the watch after this many seconds. */
  timeoutSeconds?: number;
  /**
   * Abort to stop the watch; the iterator then ends without error. (The client's own signal,
   * by contrast, ends it with RequestAbortedError: the process is stopping.)
   */
  signal?: AbortSignal;
  /** Re-open a dropped stream from the last resourceVersion seen (default true). */
  reconnect?: boolean;
}

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: T;
}

export interface ExecOptions {
  /** Give up (and close the stream) after this long; OperationFailedError. Default 5 min. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** The command's exit code (0 when the server reports Success). */
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface LogOptions extends CallOptions {
  container?: string;
  tailLines?: number;
  sinceSeconds?: number;
  previous?: boolean;
  timestamps?: boolean;
}

export interface KubeClient {
  /** Namespace from --namespace, else the context's, else the in-cluster one, else 'default'. */
  readonly namespace: string;
  /** API server URL, e.g. https://10.0.0.1:6443 (for messages). */
  readonly server: string;
  /** Context name ('in-cluster' when running in a pod). */
  readonly context: string;
  /** HTTP requests sent so far, retries included. The engine reports it per release. */
  readonly requestCount: number;

  /** GET one object. NotFoundError if missing. */
  get<T extends KubeObject = KubeObject>(ref: ObjectRef, options?: CallOptions): Promise<T>;
  /** GET, or undefined when it does not exist (no exception on the common "first deploy" path). */
  getOptional<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    options?: CallOptions,
  ): Promise<T | undefined>;
  /** List one kind; namespace undefined = client's namespace, '' = all namespaces. */
  list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    options?: ListOptions,
  ): Promise<KubeList<T>>;
  /** POST. AlreadyExistsError if it exists. Returns the stored object (with resourceVersion). */
  create<T extends KubeObject = KubeObject>(obj: T, options?: CallOptions): Promise<T>;
  /**
   * PUT. `obj.metadata.resourceVersion` must be set (the write is refused locally otherwise):
   * ConflictError when the object changed since it was read.
   */
  replace<T extends KubeObject = KubeObject>(obj: T, options?: CallOptions): Promise<T>;
  /**
   * PATCH with application/merge-patch+json (RFC 7386: maps merge, null deletes, lists replace).
   * Works for built-ins and custom resources alike. Put `metadata.resourceVersion` in the patch
   * to make it conditional (ConflictError on mismatch).
   */
  mergePatch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<T>;
  /** DELETE. NotFoundError if missing; ConflictError if a precondition fails. */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<void>;
  /** Watch events of one kind until the signal aborts or the server ends the stream. */
  watch<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    options?: WatchOptions,
  ): AsyncIterable<WatchEvent<T>>;
  /** Runs a command in a container (WebSocket, v5.channel.k8s.io) and collects its output. */
  exec(
    pod: PodRef,
    container: string | undefined,
    command: string[],
    options?: ExecOptions,
  ): Promise<ExecResult>;
  /** The container log as text (not followed). */
  logs(pod: PodRef, options?: LogOptions): Promise<string>;
  /** Closes keep-alive connections so the process can exit promptly. */
  close(): void;
}

/** What `loadKubeConfig` takes; mirrors kubectl's flags. */
export interface LoadKubeConfigOptions {
  /** --kubeconfig: one file, takes precedence over KUBECONFIG. */
  kubeconfig?: string;
  /** --context: a context name of the merged config. */
  context?: string;
  /** --namespace: overrides the context's namespace. */
  namespace?: string;
  /** Reads KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT. */
  env: Record<string, string | undefined>;
  /** Injected for tests; default fs.readFileSync(path, 'utf8'). */
  readFile?: (path: string) => string;
}

/** The cluster and credentials chosen, as kubectl would choose them. */
export interface ResolvedKubeConfig {
  source: 'kubeconfig' | 'in-cluster';
  /** Files merged, in precedence order (empty for in-cluster). */
  files: string[];
  contextName: string;
  namespace: string;
  cluster: {
    name: string;
    server: string;
    /** PEM of the CA to trust (certificate-authority-data decoded, or the file's content). */
    caPem?: string;
    insecureSkipTlsVerify: boolean;
    tlsServerName?: string;
    /** proxy-url of the cluster (http:// or https://); else the proxy environment variables apply. */
    proxyUrl?: string;
  };
  user: {
    name: string;
    token?: string;
    /** Re-read on each request set, as kubectl does for projected service-account tokens. */
    tokenFile?: string;
    clientCertPem?: string;
    clientKeyPem?: string;
    username?: string;
    password?: string;
    /** An exec credential plugin (run by cutover, as kubectl runs it). */
    exec?: ExecPluginConfig;
    /** auth-provider (legacy GKE/OIDC): needs @kubernetes/client-node to produce credentials. */
    pluginAuth: boolean;
    /** Why the user's credentials are not sent (e.g. a plain-http server), if they are not. */
    withheld?: string;
  };
  /** The merged kubeconfig (for plugin auth through client-node). */
  merged: MergedKubeConfig;
  /** The environment the kubeconfig was read with: proxies and exec plugins use it. */
  env: Record<string, string | undefined>;
}

/** A user's `exec:` entry, paths resolved. */
export interface ExecPluginConfig {
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
  /** client.authentication.k8s.io/v1 or v1beta1. */
  apiVersion: string;
  interactiveMode: 'Never' | 'IfAvailable' | 'Always';
  provideClusterInfo: boolean;
  installHint?: string;
}

/**
 * The merged kubeconfig: each entry flattened to `{ name, ...fields }` with the file's own
 * (kebab-case) keys, relative paths already made absolute.
 */
export interface MergedKubeConfig {
  clusters: Array<Record<string, unknown> & { name: string; server: string }>;
  users: Array<Record<string, unknown> & { name: string }>;
  contexts: Array<{ name: string; cluster: string; user: string; namespace?: string }>;
  currentContext: string;
  /** The file each entry came from (the first file to define the name). */
  origins: {
    clusters: Record<string, string>;
    users: Record<string, string>;
    contexts: Record<string, string>;
  };
}

/** Minimal response the transport returns: status, lower-case headers, body as text or stream. */
export interface KubeResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text(): Promise<string>;
  /** The body as chunks, for watch streams. Consume either text() or body, not both. */
  body: AsyncIterable<Uint8Array>;
}

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Clocks bounding this request (see RequestTimeouts). */
  timeouts?: RequestTimeouts;
  /** A client certificate for this request (from an exec plugin), instead of the kubeconfig's. */
  clientCert?: { certPem: string; keyPem: string };
}

/** Bounds of one HTTP request in ms; undefined or 0 = unbounded. */
export interface RequestTimeouts {
  /** TCP + TLS handshake of a new connection. */
  connectMs?: number;
  /** From sending until the response headers arrive. */
  firstByteMs?: number;
  /** Longest wait for the next chunk of the body. */
  idleMs?: number;
  /** The whole exchange, body included. */
  totalMs?: number;
}

/**
 * The HTTP transport. Default: node:http/https with a keep-alive agent built from the resolved
 * TLS settings. Errors it throws must keep Node's `code` (ECONNREFUSED, ENOTFOUND, ETIMEDOUT…).
 */
export type KubeFetch = (request: KubeRequest) => Promise<KubeResponse>;

export interface KubeLogger {
  debug(message: string): void;
  warn(message: string): void;
}

/** The world the client uses, injected (never patched globals). */
export interface KubeDeps {
  fetch: KubeFetch;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** [0, 1), for retry jitter. */
  random: () => number;
  /** Retries and other notices go here (stderr in the CLI). */
  logger: KubeLogger;
}

/**
 * Bounds and retries of the client (defaults in src/kube/defaults.ts; ADR 0008 explains them).
 * Every field is optional.
 */
export interface KubeClientOptions {
  /** Attempts per call, the first included (reads, and writes whose outcome was resolved). Default 8. */
  maxAttempts?: number;
  /** First retry wait in ms, doubled per retry with jitter; Retry-After wins. Default 200. */
  retryBaseMs?: number;
  /** Cap of one retry wait. Default 4000. */
  retryMaxDelayMs?: number;
  /** No retry starts later than this after a call's first attempt. Default 45 000. */
  retryBudgetMs?: number;
  /** TCP + TLS handshake. Default 10 000. */
  connectTimeoutMs?: number;
  /** Until the response headers (the "first byte"). Default 30 000. */
  requestTimeoutMs?: number;
  /** Longest silence inside a response body (not watches). Default 30 000. */
  idleTimeoutMs?: number;
  /** Longest silence on a watch stream before it is re-established. Default 120 000. */
  watchIdleTimeoutMs?: number;
  /** Whole request, body included (not watches). Default 60 000. */
  totalTimeoutMs?: number;
  /** Aborts every request, watch and exec of this client (e.g. on SIGTERM). */
  signal?: AbortSignal;
}

/** Per-call options every verb takes. */
export interface CallOptions {
  /** Aborts this call (besides the client's own signal): RequestAbortedError. */
  signal?: AbortSignal;
}
