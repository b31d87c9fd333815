// Loads what the generators need from cutover.yaml.
// TRANSITIONAL: reads the few fields itself until src/config's loadConfig() is available.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { CutoverConfig } from '../config/types.js';
import { InputError } from '../errors.js';

export type CiConfig = Pick<CutoverConfig, 'app' | 'imageRepository' | 'secrets' | 'file'>;

export async function loadCiConfig(
  path: string,
  _env: Record<string, string | undefined>,
): Promise<CiConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
      file: path,
      remedy: 'run `cutover init` to write a starter cutover.yaml, or name yours with -f',
    });
  }
  const raw = (parse(text) ?? {}) as Record<string, unknown>;
  if (typeof raw.app !== 'string' || !raw.app) {
    throw new InputError('the app name is missing', { file: path, field: 'app', remedy: 'add `app: myapp`' });
  }
  const image = raw.image as { repository?: string } | undefined;
  const secrets = (raw.secrets ?? {}) as { blue?: string; green?: string };
  return { app: raw.app, imageRepository: image?.repository, secrets, file };
}
