// loadConfig: read cutover.yaml, apply CUTOVER_* overrides, validate, fill defaults.
// Every failure is an InputError (exit 2) naming the file and the field.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from '../yaml/index.js';
import { InputError } from '../errors.js';
import { applyEnvOverrides } from './env-overrides.js';
import { resolveConfig, type RawConfig } from './resolve.js';
import type { CutoverConfig, LoadConfigOptions } from './types.js';
import { validateRaw } from './validate.js';

export function loadConfig(path: string, options: LoadConfigOptions): CutoverConfig {
  const file = resolve(path);
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new InputError(missing ? `${path} not found` : `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
      file,
      remedy: missing
        ? 'run `cutover init` to write a starter cutover.yaml, or name the file with -f'
        : undefined,
    });
  }
  return validateConfig(parseYaml(text, file), file, options.env);
}

/** Validates an already-parsed object (e.g. from a test or the dashboard). */
export function validateConfig(
  raw: unknown,
  file: string,
  env: Record<string, string | undefined>,
): CutoverConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError('the configuration must be a mapping of fields (app: myapp, …)', {
      file,
      remedy: 'run `cutover init` for a commented starter file',
    });
  }
  const { config } = applyEnvOverrides(raw as Record<string, unknown>, env);
  validateRaw(config, file);
  return resolveConfig(config as unknown as RawConfig, file);
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0];
    throw new InputError(
      `not valid YAML${line ? ` (line ${line.line}, column ${line.col})` : ''}: ${problem.message.split('\n')[0]}`,
      {
        cause: problem,
        file,
        remedy: 'fix the YAML syntax (indentation, quotes, duplicate keys)',
      },
    );
  }
  return doc.toJS();
}
