// The contract of cutover's cluster access layer. The engine, routers and checks speak only
// these types; the implementation (src/kube/client.ts) talks HTTP to the API server.
//
// What must stay true:
// - Every call is one HTTP request (plus bounded retries of transient failures for idempotent
//   verbs), counted in `requestCount`. No hidden GET-before-write.
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

export interface ListOptions {
  /** e.g. `app=myapp,color=blue` */
  labelSelector?: string;
  fieldSelector?: string;
}

export interface DeleteOptions {
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
  /** Abort to stop the watch; the iterator then ends without error. */
  signal?: AbortSignal;
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

export interface LogOptions {
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
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T>;
  /** GET, or undefined when it does not exist (no exception on the common "first deploy" path). */
  getOptional<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined>;
  /** List one kind; namespace undefined = client's namespace, '' = all namespaces. */
  list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    options?: ListOptions,
  ): Promise<KubeList<T>>;
  /** POST. AlreadyExistsError if it exists. Returns the stored object (with resourceVersion). */
  create<T extends KubeObject = KubeObject>(obj: T): Promise<T>;
  /**
   * PUT. `obj.metadata.resourceVersion` must be set (the write is refused locally otherwise):
   * ConflictError when the object changed since it was read.
   */
  replace<T extends KubeObject = KubeObject>(obj: T): Promise<T>;
  /**
   * PATCH with application/merge-patch+json (RFC 7386: maps merge, null deletes, lists replace).
   * Works for built-ins and custom resources alike. Put `metadata.resourceVersion` in the patch
   * to make it conditional (ConflictError on mismatch).
   */
  mergePatch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: Record<string, unknown>): Promise<T>;
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
    /** exec plugin or auth-provider: needs @kubernetes/client-node to produce credentials. */
    pluginAuth: boolean;
  };
  /** The merged kubeconfig (for plugin auth through client-node). */
  merged: MergedKubeConfig;
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
  /** Per-request timeout in ms for receiving the response headers. */
  timeoutMs?: number;
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
  logger: KubeLogger;
}

export interface KubeClientOptions {
  /** Attempts for idempotent calls on 429, 5xx (not 501), ECONNRESET. Default 4 (1 + 3 retries). */
  maxAttempts?: number;
  /** First back-off in ms, doubled each retry, capped at 2 s; honours Retry-After. Default 200. */
  retryBaseMs?: number;
  /** Per-request timeout for response headers. Default 30 s. */
  requestTimeoutMs?: number;
}
