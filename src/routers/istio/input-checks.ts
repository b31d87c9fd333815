// What Istio would refuse in the test route before cutover writes it: regexes RE2 cannot compile
// or longer than istiod accepts (validation.go validateStringRegexp).
import { re2Problem, RE2_REMEDY, testRegexProblem } from '../regex-check.js';
import type { RouterInputProblem } from '../types.js';
import type { RouteSettings } from './settings.js';

const ISTIO_REGEX = { maxLength: 1024, who: 'Istio' };

/** Every `regex` StringMatch inside an Istio match list, with its path. `regex: "*"` is a presence check. */
function regexesIn(value: unknown, path: string, out: Array<{ path: string; regex: string }>) {
  if (Array.isArray(value)) value.forEach((v, i) => regexesIn(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'regex' && typeof v === 'string' && v !== '*') out.push({ path: `${path}.regex`, regex: v });
      else regexesIn(v, `${path}.${k}`, out);
    }
  }
  return out;
}

export function istioInputProblems(s: RouteSettings): RouterInputProblem[] {
  const found = regexesIn(s.testMatch, 'match', []).flatMap(({ path, regex }) => {
    const why = re2Problem(regex, ISTIO_REGEX);
    return why ? [{ path, regex, why }] : [];
  });
  if (!s.fromManifests) return found.map(({ regex, why }) => testRegexProblem(regex, why));
  return found.map(({ path, regex, why }) => ({
    message: `VirtualService ${s.virtualServiceName}: \`${regex}\` ${why}`,
    field: `spec.http[${s.routeNames.test}].${path}`,
    remedy: RE2_REMEDY,
    inManifests: true,
  }));
}
