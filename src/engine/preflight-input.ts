// The pure part of every preflight: what can be wrong with the input alone, found without a
// request. Each problem names the file, the field and the fix; all of them are returned at once.
import { parseExpectation } from '../checks/expect.js';
import { CutoverError, InputError } from '../errors.js';
import type { EngineContext } from './context.js';
import { parseImageRef } from './image-ref.js';

/** What the router says the data plane would refuse in its input (e.g. a test regex). */
function routerFindings(ctx: EngineContext): InputError[] {
  const { config } = ctx;
  return (ctx.router.inputProblems?.() ?? []).map(
    (p) =>
      new InputError(p.message, {
        file: (p.inManifests ? config.manifests?.dir : config.file) || undefined,
        field: p.field,
        remedy: p.remedy,
      }),
  );
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

/** Problems of the configuration any operation would hit: the router's (regexes), expectations. */
export function inputFindings(ctx: EngineContext): InputError[] {
  return [...routerFindings(ctx), ...expectFindings(ctx)];
}
