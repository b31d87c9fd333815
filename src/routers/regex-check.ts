// Whether a data plane's regex engine (RE2: Envoy, and the local gateway) compiles a pattern,
// checked before the first write so a bad regex is bad input, not a route that never matches.
import { createRequire } from 'node:module';
import type { RE2JS as RE2 } from 're2js';

/**
 * re2js, loaded on the first regex that needs compiling: loading it decodes its Unicode tables
 * (≈ 15 ms of CPU), which every command paid at start-up for the cookie regex cutover writes
 * itself (docs/adr/0016-fast-rollback.md).
 */
let re2: typeof RE2 | undefined;
function re2js(): typeof RE2 {
  re2 ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2 }).RE2JS;
  return re2;
}

const SPECIAL = /[.*+?^${}()|[\]\\]/;

/** Only literal characters, specials escaped with a backslash (config/defaults.ts cookieRegex). */
function escapedLiteral(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      if (!SPECIAL.test(s[i + 1] ?? '')) return false;
      i++;
    } else if (SPECIAL.test(s[i]!)) return false;
  }
  return s.length > 0;
}

/**
 * The shape of the cookie regex cutover writes (`^(.*?;\s*)?NAME=VALUE(;.*)?$`, name and value
 * escaped literals): valid RE2 whatever the name and value, so it needs no compiling.
 */
export function cookieRegexShape(pattern: string): boolean {
  const prefix = '^(.*?;\\s*)?';
  const suffix = '(;.*)?$';
  if (!pattern.startsWith(prefix) || !pattern.endsWith(suffix)) return false;
  const middle = pattern.slice(prefix.length, pattern.length - suffix.length);
  const eq = middle.indexOf('=');
  return eq > 0 && escapedLiteral(middle.slice(0, eq)) && escapedLiteral(middle.slice(eq + 1));
}

/** Why RE2 would refuse this regex (or it exceeds `maxLength`), or undefined when it compiles. */
export function re2Problem(pattern: string, limit?: { maxLength: number; who: string }): string | undefined {
  if (limit && pattern.length > limit.maxLength)
    return `is longer than ${limit.who}'s limit of ${limit.maxLength} characters`;
  if (cookieRegexShape(pattern)) return undefined;
  try {
    re2js().compile(pattern);
    return undefined;
  } catch (err) {
    return `is not a valid RE2 regex (${(err as Error).message})`;
  }
}

export const RE2_REMEDY = 'write an RE2 regex (no backreferences or lookaround) that matches the whole value';

/** The problem of cutover.yaml's testMatch.regex, worded for every router that matches it. */
export function testRegexProblem(regex: string, why: string) {
  return {
    message: `\`${regex}\` ${why}; the gateway would never send testers to the new color`,
    field: 'testMatch.regex',
    remedy: `${RE2_REMEDY}, or drop testMatch.regex for the default`,
  };
}
