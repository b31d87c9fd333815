// What the checks need from the engine and what they report. Checks never throw for a failing
// check: they return a result with the reason, and the caller decides (test records a verdict).
import type { Color, CutoverConfig } from '../config/types.js';
import type { EngineDeps } from '../engine/deps.js';
import type { KubeClient } from '../kube/types.js';
import type { Expected } from '../routers/identity.js';

export interface CheckContext {
  config: CutoverConfig;
  kube: KubeClient;
  namespace: string;
  deps: EngineDeps;
  color: Color;
  /** Base URL testers reach, e.g. http://127.0.0.1:8080; '' when none can (see `unreachable`). */
  gatewayUrl: string;
  /** Why no URL reaches the data plane from here (HTTP smoke tests then fail with it). */
  unreachable?: string;
  /** Open a new connection per request (a plain Service balances connections, not requests). */
  freshConnections?: boolean;
  /** No proxy stamps who served: a healthy answer naming nobody counts (one naming someone must match). */
  unmarkedAnswers?: boolean;
  /** Headers that make a request a tester's (cookie/header) and the Host the routes serve. */
  testerHeaders: Record<string, string>;
  colorHeader: string;
  /** Who must answer: this app (namespace/app), this color, this release. */
  expected: Expected;
  /** Label selector of the color's pods, e.g. `app=myapp,color=green`. */
  podSelector: string;
}

export const OUTPUT_TAIL = { lines: 15, chars: 2000 };

/** The end of a command's output, bounded in lines and characters. */
export function outputTail(text: string): string | undefined {
  const lines = text
    .trimEnd()
    .split('\n')
    .filter((l) => l.trim() !== '');
  const tail = lines.slice(-OUTPUT_TAIL.lines).join('\n');
  if (!tail) return undefined;
  return tail.length > OUTPUT_TAIL.chars ? `…${tail.slice(-OUTPUT_TAIL.chars)}` : tail;
}

/** `name: detail`, and a failure's output lines under it (`  | …`). */
export function checkText(r: CheckResult): string {
  const output = r.output
    ? `\n${r.output
        .split('\n')
        .map((l) => `    | ${l}`)
        .join('\n')}`
    : '';
  return `${r.name}: ${r.detail}${output}`;
}

export interface CheckResult {
  name: string;
  kind: 'http' | 'exec' | 'command' | 'analysis';
  ok: boolean;
  /** Why it failed, or a short summary on success. Never contains secret values. */
  detail: string;
  /** A failing command's or exec's last output lines (at most OUTPUT_TAIL), shown under the failure. */
  output?: string;
  ms: number;
}
