// Runs a kubeconfig `exec:` credential plugin as kubectl does (client-go's exec authenticator):
// the command with its args and env added to ours, KUBERNETES_EXEC_INFO describing the request
// (interactive or not, and the cluster when provideClusterInfo is set), stdin given to the plugin
// only when interactive, its stderr passed through to ours. It answers with an ExecCredential
// carrying a token or a client certificate and key, valid until expirationTimestamp (for the
// process's life without one). The answer is cached; it is renewed when it expires and when the
// server answers 401 (the request is then sent once more; client-go only renews for the next one).
import { UnreachableError } from '../errors.js';
import type { ExecPluginConfig, ResolvedKubeConfig } from './types.js';

export interface ExecCredential {
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Epoch ms; undefined = valid for the process's life. */
  expiresAt?: number;
}

export interface ExecPluginDeps {
  clock: () => number;
  /** Whether our stdin is a terminal (kubectl: interactive only then). */
  stdinIsTTY: boolean;
  env: Record<string, string | undefined>;
}

/** Renew this long before the plugin's expirationTimestamp, so no request carries a dying token. */
const EXPIRY_SKEW_MS = 5_000;

export class ExecPlugin {
  #current?: ExecCredential;
  #running?: Promise<ExecCredential>;

  constructor(
    private readonly cfg: ExecPluginConfig,
    private readonly cluster: ResolvedKubeConfig['cluster'],
    private readonly user: string,
    private readonly deps: ExecPluginDeps,
  ) {}

  /** The cached credential, or a fresh one when there is none or it expired. */
  async credential(): Promise<ExecCredential> {
    const c = this.#current;
    if (c && (c.expiresAt === undefined || this.deps.clock() < c.expiresAt - EXPIRY_SKEW_MS)) return c;
    return this.renew();
  }

  /** Runs the plugin again (one run at a time; callers during a run share its answer). */
  renew(): Promise<ExecCredential> {
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #run(): Promise<ExecCredential> {
    const interactive = this.#interactive();
    const stdout = await this.#spawn(interactive);
    this.#current = this.#parse(stdout);
    return this.#current;
  }

  #interactive(): boolean {
    const { interactiveMode } = this.cfg;
    if (interactiveMode === 'Always' && !this.deps.stdinIsTTY) {
      throw this.#error(
        'needs a terminal (interactiveMode: Always) but standard input is not one',
        'run cutover from a terminal, or configure the plugin with interactiveMode: IfAvailable or Never',
      );
    }
    return interactiveMode !== 'Never' && this.deps.stdinIsTTY;
  }

  // node:child_process loads here, on first use: most kubeconfigs have no exec plugin.
  async #spawn(interactive: boolean): Promise<string> {
    const { spawn } = await import('node:child_process');
    const env: Record<string, string | undefined> = { ...this.deps.env };
    for (const { name, value } of this.cfg.env) env[name] = value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify(this.#execInfo(interactive));
    return new Promise((resolve, reject) => {
      const child = spawn(this.cfg.command, this.cfg.args, {
        env: env as NodeJS.ProcessEnv,
        stdio: [interactive ? 'inherit' : 'ignore', 'pipe', 'inherit'],
      });
      const out: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.on('error', (err: NodeJS.ErrnoException) => {
        const hint = this.cfg.installHint?.trim();
        reject(
          this.#error(
            err.code === 'ENOENT' ? `${this.cfg.command} was not found` : err.message,
            hint || 'install the credential plugin the kubeconfig names, or fix users[].exec.command',
            err,
          ),
        );
      });
      child.on('close', (code, signal) => {
        if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
        reject(
          this.#error(
            `${this.cfg.command} exited with ${code ?? signal} (its own message is above)`,
            'log in again with the tool that provides the credentials',
          ),
        );
      });
    });
  }

  #execInfo(interactive: boolean): Record<string, unknown> {
    const spec: Record<string, unknown> = { interactive };
    if (this.cfg.provideClusterInfo) {
      const c = this.cluster;
      spec.cluster = {
        server: c.server,
        ...(c.tlsServerName ? { 'tls-server-name': c.tlsServerName } : {}),
        ...(c.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
        ...(c.caPem ? { 'certificate-authority-data': Buffer.from(c.caPem).toString('base64') } : {}),
        ...(c.proxyUrl ? { 'proxy-url': c.proxyUrl } : {}),
      };
    }
    return { kind: 'ExecCredential', apiVersion: this.cfg.apiVersion, spec };
  }

  #parse(stdout: string): ExecCredential {
    let doc: { apiVersion?: string; kind?: string; status?: Record<string, unknown> };
    try {
      doc = JSON.parse(stdout) as typeof doc;
    } catch (err) {
      throw this.#error(
        'did not print an ExecCredential (JSON) on stdout',
        'check the plugin by running it by hand',
        err,
      );
    }
    if (doc.kind !== 'ExecCredential' || doc.apiVersion !== this.cfg.apiVersion) {
      throw this.#error(
        `answered ${doc.apiVersion ?? '?'} ${doc.kind ?? '?'}, not ${this.cfg.apiVersion} ExecCredential`,
        'set users[].exec.apiVersion to the version the plugin speaks',
      );
    }
    const st = doc.status ?? {};
    const str = (k: string) => (typeof st[k] === 'string' && st[k] ? (st[k] as string) : undefined);
    const token = str('token');
    const cert = str('clientCertificateData');
    const key = str('clientKeyData');
    if (Boolean(cert) !== Boolean(key))
      throw this.#error(
        'gave a client certificate without its key (or a key without the certificate)',
        'fix the plugin',
      );
    if (!token && !cert)
      throw this.#error(
        'gave neither a token nor a client certificate',
        'log in again with the tool that provides the credentials',
      );
    const exp = str('expirationTimestamp');
    const expiresAt = exp ? Date.parse(exp) : undefined;
    if (exp && !Number.isFinite(expiresAt))
      throw this.#error(`gave an unreadable expirationTimestamp "${exp}"`, 'fix the plugin (RFC 3339 time)');
    return { token, clientCertPem: cert, clientKeyPem: key, expiresAt };
  }

  #error(what: string, remedy: string, cause?: unknown): UnreachableError {
    return new UnreachableError(`credential plugin of kubeconfig user "${this.user}": ${what}`, {
      cause,
      remedy,
    });
  }
}
