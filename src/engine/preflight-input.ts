// The pure part of every preflight: what can be wrong with the input alone, found without a
// request. Each problem names the file, the field and the fix; all of them are returned at once.
import { RE2JS } from 're2js';
import { parseExpectation } from '../checks/expect.js';
import { CutoverError, InputError } from '../errors.js';
import type { EngineContext } from './context.js';
import { parseImageRef } from './image-ref.js';

/** Istio rejects longer regexes (validation.go validateStringRegexp). */
const ISTIO_REGEX_MAX = 1024;

/** Why Envoy (RE2) would refuse this regex, or undefined when it compiles. */
export function re2Problem(pattern: string): string | undefined {
  if (pattern.length > ISTIO_REGEX_MAX)
    return `is longer than Istio's limit of ${ISTIO_REGEX_MAX} characters`;
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    return `is not a valid RE2 regex (${(err as Error).message})`;
  }
}

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

function regexFindings(ctx: EngineContext): InputError[] {
  const { config, source } = ctx;
  const remedy = 'write an RE2 regex (no backreferences or lookaround) that matches the whole value';
  if (source.mode === 'builders') {
    const m = config.testMatch;
    const why = m.type === 'cookie' ? re2Problem(m.regex) : undefined;
    if (!why || m.type !== 'cookie') return [];
    return [
      new InputError(`\`${m.regex}\` ${why}; the gateway would never send testers to the new color`, {
        file: config.file || undefined,
        field: 'testMatch.regex',
        remedy: `${remedy}, or drop testMatch.regex for the default`,
      }),
    ];
  }
  return regexesIn(source.settings.testMatch, 'match', []).flatMap(({ path, regex }) => {
    const why = re2Problem(regex);
    if (!why) return [];
    const vs = `VirtualService ${source.settings.virtualServiceName}`;
    return [
      new InputError(`${vs}: \`${regex}\` ${why}`, {
        file: config.manifests?.dir,
        field: `spec.http[${source.settings.routeNames.test}].${path}`,
        remedy,
      }),
    ];
  });
}

function expectFindings(ctx: EngineContext): InputError[] {
  const out: InputError[] = [];
  ctx.config.smokeTests.forEach((t, i) => {
    if (t.type !== 'http') return;
    t.expect.forEach((e, j) => {
      try {
        parseExpectation(e);
      } catch (err) {
        if (!(err instanceof CutoverError)) throw err;
        out.push(
          new InputError(err.message, {
            cause: err,
            file: ctx.config.file || undefined,
            field: `smokeTests[${i}].http.expect[${j}]`,
            remedy: err.remedy ?? 'write it like `.ready == true`',
          }),
        );
      }
    });
  });
  return out;
}

export function imageFindings(ctx: EngineContext, image: string | undefined, field: string): InputError[] {
  if (image === undefined) return [];
  const why = parseImageRef(image);
  if (typeof why !== 'string') return [];
  return [
    new InputError(`image \`${image}\`: ${why}`, {
      field,
      file: field.startsWith('--') ? undefined : ctx.config.file || undefined,
      remedy: 'give a reference a registry accepts, e.g. registry.example.com/team/app:v1.2',
    }),
  ];
}

/** Problems of the configuration any operation would hit: regexes, expectations. */
export function inputFindings(ctx: EngineContext): InputError[] {
  return [...regexFindings(ctx), ...expectFindings(ctx)];
}
