// Which CI variables become a color's settings: every environment variable named
// `<prefix><COLOR>_<KEY>` (e.g. CUTOVER_ENV_BLUE_DB_PASSWORD → DB_PASSWORD in the blue Secret).
// Each CI system puts them in the step's environment by name (GitHub: the generated step names
// each one; no step is handed all secrets). Pure: no I/O, values never logged.
import type { Color } from '../../config/types.js';
import { InputError } from '../../errors.js';

export function colorPrefix(prefix: string, color: Color): string {
  return `${prefix}${color.toUpperCase()}_`;
}

/** Secret data keys, as Kubernetes allows them and as env var names the app can read. */
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The settings for one color, keys sorted. */
export function collectSettings(
  env: Record<string, string | undefined>,
  prefix: string,
  color: Color,
): Record<string, string> {
  const full = colorPrefix(prefix, color);
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  const out: Record<string, string> = {};
  for (const name of Object.keys(merged).sort()) {
    if (!name.startsWith(full)) continue;
    const key = name.slice(full.length);
    if (!KEY_RE.test(key)) {
      throw new InputError(
        `variable ${name} gives the setting name "${key}", which is not a valid variable name`,
        {
          remedy: `name it ${full}<NAME> with NAME made of letters, digits and _`,
        },
      );
    }
    out[key] = merged[name];
  }
  return out;
}
