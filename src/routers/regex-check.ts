// Whether a data plane's regex engine (RE2: Envoy, and the local gateway) compiles a pattern,
// checked before the first write so a bad regex is bad input, not a route that never matches.
import { RE2JS } from 're2js';

/** Why RE2 would refuse this regex (or it exceeds `maxLength`), or undefined when it compiles. */
export function re2Problem(pattern: string, limit?: { maxLength: number; who: string }): string | undefined {
  if (limit && pattern.length > limit.maxLength)
    return `is longer than ${limit.who}'s limit of ${limit.maxLength} characters`;
  try {
    RE2JS.compile(pattern);
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
