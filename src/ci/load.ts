// Loads what the generators need from cutover.yaml, through the one config loader, so a
// pipeline is never generated from a file that `cutover deploy` would reject (exit 2 either way,
// naming the file, the field and the fix).
import { loadConfig } from '../config/index.js';
import type { CutoverConfig } from '../config/types.js';

export type CiConfig = Pick<CutoverConfig, 'app' | 'imageRepository' | 'secrets' | 'file'>;

export function loadCiConfig(path: string, env: Record<string, string | undefined>): CiConfig {
  return loadConfig(path, { env });
}
