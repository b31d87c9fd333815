// ObjectMeta rules every kind shares (ValidateObjectMeta): name syntax per kind, labels,
// annotation keys and total size.
import { invalidValue, required, tooLong, type Cause } from './field-errors.js';
import {
  isLabelValue as labelValueCheck,
  isQualifiedName as qualifiedNameCheck,
  memo,
  type NameCheck,
} from './names.js';

const isQualifiedName = memo(qualifiedNameCheck);
const isLabelValue = memo(labelValueCheck);

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function checkObjectMeta(
  meta: Record<string, unknown> | undefined,
  nameCheck: NameCheck,
  path = 'metadata',
): Cause[] {
  const causes: Cause[] = [];
  const name = meta?.name;
  const generateName = meta?.generateName;
  if (typeof name === 'string' && name !== '') {
    for (const msg of nameCheck(name)) causes.push(invalidValue(`${path}.name`, name, msg));
  } else if (typeof generateName !== 'string' || generateName === '') {
    causes.push(required(`${path}.name`, 'name or generateName is required'));
  }
  causes.push(...checkLabels(meta?.labels, `${path}.labels`));
  causes.push(...checkAnnotations(meta?.annotations, `${path}.annotations`));
  return causes;
}

export function checkLabels(labels: unknown, path: string): Cause[] {
  if (!isRecord(labels)) return [];
  const causes: Cause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const msg of isQualifiedName(key)) causes.push(invalidValue(path, key, msg));
    if (typeof value === 'string')
      for (const msg of isLabelValue(value)) causes.push(invalidValue(path, value, msg));
  }
  return causes;
}

export function checkAnnotations(annotations: unknown, path: string): Cause[] {
  if (!isRecord(annotations)) return [];
  const causes: Cause[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(key.toLowerCase())) causes.push(invalidValue(path, key, msg));
    size += key.length + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) causes.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return causes;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
