// The checks kubectl (client-go's clientcmd validation) makes on the context, cluster and user it
// is about to use, with the same meaning and cutover's own words: every problem at once, each
// naming the file and the field, as bad input (exit 2) before anything is sent.
//
// kubectl 1.33 refuses: certificate-authority with certificate-authority-data; insecure-skip-tls-
// verify with a CA; client-certificate with client-certificate-data (and the same for the key);
// a certificate without its key or a key without its certificate; more than one of token and
// username/password; exec together with auth-provider; exec without command or apiVersion, or
// with an unknown interactiveMode (client.authentication.k8s.io/v1 requires one). A context
// naming an undefined user makes kubectl prompt for a password; cutover says which user is missing.
import { InputError } from '../errors.js';

type Entry = Record<string, unknown> & { name: string };

export interface UsedEntries {
  contextName: string;
  contextFile: string;
  context: { cluster?: string; user?: string };
  cluster?: Entry;
  clusterFile?: string;
  user?: Entry;
  userFile?: string;
  files: string[];
}

const INTERACTIVE_MODES = ['Never', 'IfAvailable', 'Always'];

export function validateUsed(u: UsedEntries): void {
  const problems: Array<{ file: string; field: string; message: string; fix: string }> = [];
  const add = (file: string | undefined, field: string, message: string, fix: string) =>
    problems.push({ file: file ?? u.contextFile, field, message, fix });
  const ctx = `contexts[${u.contextName}]`;
  if (!u.context.cluster)
    add(u.contextFile, `${ctx}.cluster`, 'names no cluster', 'name a cluster defined in the kubeconfig');
  else if (!u.cluster)
    add(
      u.contextFile,
      `${ctx}.cluster`,
      `names cluster "${u.context.cluster}", which is not defined in ${u.files.join(', ')}`,
      'define the cluster or fix the name',
    );
  if (u.context.user && !u.user)
    add(
      u.contextFile,
      `${ctx}.user`,
      `names user "${u.context.user}", which is not defined in ${u.files.join(', ')}`,
      'define the user or fix the name (kubectl would prompt for a password here)',
    );
  if (u.cluster) checkCluster(u.cluster, u.clusterFile, add);
  if (u.user) checkUser(u.user, u.userFile, add);
  if (problems.length === 0) return;
  const [first] = problems;
  const lines = problems.map((p) => `${p.file}: ${p.field}: ${p.message}`);
  throw new InputError(
    problems.length === 1
      ? `kubeconfig ${first!.field}: ${first!.message}`
      : `the kubeconfig has ${problems.length} problems:\n  ${lines.join('\n  ')}`,
    {
      file: first!.file,
      field: problems.length === 1 ? first!.field : undefined,
      remedy: [...new Set(problems.map((p) => p.fix))].join('; '),
    },
  );
}

type Add = (file: string | undefined, field: string, message: string, fix: string) => void;

function checkCluster(c: Entry, file: string | undefined, add: Add): void {
  const at = `clusters[${c.name}]`;
  if (typeof c.server !== 'string' || !c.server)
    add(file, `${at}.server`, 'is missing', 'set the API server URL, e.g. https://10.0.0.1:6443');
  const caFile = has(c, 'certificate-authority');
  const caData = has(c, 'certificate-authority-data');
  if (caFile && caData)
    add(
      file,
      `${at}.certificate-authority`,
      'is set together with certificate-authority-data',
      'keep one of the two',
    );
  if (c['insecure-skip-tls-verify'] === true && (caFile || caData))
    add(
      file,
      `${at}.insecure-skip-tls-verify`,
      'is true while a certificate authority is set',
      'drop insecure-skip-tls-verify (the CA is checked) or the CA',
    );
  const proxy = c['proxy-url'];
  if (proxy !== undefined) {
    const scheme =
      typeof proxy === 'string' ? /^([a-z0-9+.-]+):\/\//i.exec(proxy)?.[1]?.toLowerCase() : undefined;
    if (!scheme || !['http', 'https'].includes(scheme))
      add(
        file,
        `${at}.proxy-url`,
        `"${String(proxy)}" is not an http:// or https:// URL${scheme === 'socks5' ? ' (cutover does not speak SOCKS5 yet)' : ''}`,
        'use an HTTP(S) proxy URL such as http://proxy.example:3128',
      );
  }
}

function checkUser(user: Entry, file: string | undefined, add: Add): void {
  const at = `users[${user.name}]`;
  for (const [k, label] of [
    ['client-certificate', 'client-certificate'],
    ['client-key', 'client-key'],
  ] as const) {
    if (has(user, k) && has(user, `${k}-data`))
      add(file, `${at}.${label}`, `is set together with ${label}-data`, 'keep one of the two');
  }
  const cert = has(user, 'client-certificate') || has(user, 'client-certificate-data');
  const key = has(user, 'client-key') || has(user, 'client-key-data');
  if (cert && !key)
    add(
      file,
      `${at}.client-key`,
      'is missing while a client certificate is set',
      'add client-key or client-key-data',
    );
  if (key && !cert)
    add(
      file,
      `${at}.client-certificate`,
      'is missing while a client key is set',
      'add client-certificate or client-certificate-data',
    );
  const methods = [
    has(user, 'token') ? 'token' : '',
    has(user, 'username') || has(user, 'password') ? 'username/password' : '',
  ].filter(Boolean);
  if (methods.length > 1)
    add(
      file,
      `${at}.token`,
      'is set together with username/password: only one way to authenticate is allowed',
      'keep the token or the username and password',
    );
  const exec = user.exec as Record<string, unknown> | undefined;
  if (exec === undefined || exec === null) return;
  if (user['auth-provider'])
    add(file, `${at}.exec`, 'is set together with auth-provider', 'keep one of the two');
  if (typeof exec !== 'object')
    return add(file, `${at}.exec`, 'is not a mapping', 'see `kubectl config set-credentials --help`');
  if (!has(exec, 'command'))
    add(file, `${at}.exec.command`, 'is missing', 'name the credential plugin to run');
  if (!has(exec, 'apiVersion'))
    add(file, `${at}.exec.apiVersion`, 'is missing', 'set client.authentication.k8s.io/v1');
  const mode = exec.interactiveMode;
  if (mode === undefined && exec.apiVersion === 'client.authentication.k8s.io/v1')
    add(
      file,
      `${at}.exec.interactiveMode`,
      'is required with client.authentication.k8s.io/v1',
      'set Never, IfAvailable or Always',
    );
  if (mode !== undefined && !INTERACTIVE_MODES.includes(String(mode)))
    add(
      file,
      `${at}.exec.interactiveMode`,
      `"${String(mode)}" is not one of ${INTERACTIVE_MODES.join(', ')}`,
      'set Never, IfAvailable or Always',
    );
  const env = exec.env;
  if (
    env !== undefined &&
    env !== null &&
    (!Array.isArray(env) ||
      env.some(
        (e) => !e || typeof (e as { name?: unknown }).name !== 'string' || !(e as { name: string }).name,
      ))
  )
    add(file, `${at}.exec.env`, 'must be a list of {name, value}', 'give every entry a name');
}

function has(o: Record<string, unknown>, key: string): boolean {
  const v = o[key];
  return v !== undefined && v !== null && v !== '';
}
