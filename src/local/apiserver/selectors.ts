// Label and field selectors with the syntax and error texts of k8s.io/apimachinery/pkg/labels
// and pkg/fields: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`.
import { badRequest } from '../store/api-error.js';
import type { KubeObject } from '../store/types.js';
import type { ResourceType } from '../resources.js';

type Op = 'exists' | 'notexists' | 'eq' | 'neq' | 'in' | 'notin' | 'gt' | 'lt';

interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export type Matcher = (obj: KubeObject) => boolean;

const KEY_CHARS = /^[A-Za-z0-9._\-/]+$/;

export function parseLabelSelector(text: string): Matcher {
  if (text.trim() === '') return () => true;
  const requirements = splitRequirements(text).map(parseRequirement);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return requirements.every((r) => matches(r, labels));
  };
}

// Commas split requirements except inside the parentheses of `in (…)` / `notin (…)`.
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

function parseRequirement(raw: string): Requirement {
  if (raw === '') throw badRequest("unable to parse requirement: found '', expected: identifier");
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(raw);
  if (set) {
    const values = set[3]!.split(',').map((v) => v.trim());
    return checked(
      { key: set[1]!, op: set[2] as Op, values: values.length === 1 && values[0] === '' ? [] : values },
      raw,
    );
  }
  if (raw.startsWith('!')) return checked({ key: raw.slice(1).trim(), op: 'notexists', values: [] }, raw);
  const cmp = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(raw);
  if (cmp) {
    const op: Op = cmp[2] === '!=' ? 'neq' : cmp[2] === '>' ? 'gt' : cmp[2] === '<' ? 'lt' : 'eq';
    return checked({ key: cmp[1]!, op, values: [cmp[3]!.trim()] }, raw);
  }
  return checked({ key: raw, op: 'exists', values: [] }, raw);
}

function checked(r: Requirement, raw: string): Requirement {
  if (!KEY_CHARS.test(r.key))
    throw badRequest(`unable to parse requirement: found '${raw}', expected: identifier`);
  if ((r.op === 'in' || r.op === 'notin') && r.values.length === 0) {
    throw badRequest(
      `unable to parse requirement: values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`,
    );
  }
  if ((r.op === 'gt' || r.op === 'lt') && !/^-?\d+$/.test(r.values[0]!)) {
    throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
  }
  for (const v of r.values) {
    if (!/^[A-Za-z0-9._-]*$/.test(v))
      throw badRequest(`unable to parse requirement: invalid label value: "${v}"`);
  }
  return r;
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.op) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'eq':
      return has && value === r.values[0];
    case 'neq':
      return !has || value !== r.values[0];
    case 'in':
      return has && r.values.includes(value!);
    case 'notin':
      return !has || !r.values.includes(value!);
    case 'gt':
      return has && /^-?\d+$/.test(value!) && Number(value) > Number(r.values[0]);
    case 'lt':
      return has && /^-?\d+$/.test(value!) && Number(value) < Number(r.values[0]);
  }
}

// Field labels each kind supports (pkg/registry/*/strategy.go GetAttrs / field label conversion funcs).
const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const KIND_FIELDS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  ReplicaSet: ['status.replicas'],
};

export function parseFieldSelector(text: string, type: ResourceType): Matcher {
  const allowed = [...COMMON_FIELDS, ...(KIND_FIELDS[type.kind] ?? [])];
  const terms = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((term) => {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
      const field = m[1]!.trim();
      if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
      return { field, negate: m[2] === '!=', value: m[3]!.trim() };
    });
  return (obj) => terms.every((t) => (fieldValue(obj, t.field) === t.value) !== t.negate);
}

function fieldValue(obj: KubeObject, field: string): string {
  if (field === 'source') {
    const source = (obj as { source?: { component?: string } }).source;
    return source?.component ?? '';
  }
  let v: unknown = obj;
  for (const part of field.split('.'))
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  if (v === undefined || v === null) return '';
  return String(v);
}

/** Combined matcher for `labelSelector` and `fieldSelector` query parameters; undefined when neither is set. */
export function selectorFromQuery(query: URLSearchParams, type: ResourceType): Matcher | undefined {
  const label = query.get('labelSelector');
  const field = query.get('fieldSelector');
  const matchers: Matcher[] = [];
  if (label) matchers.push(parseLabelSelector(label));
  if (field) matchers.push(parseFieldSelector(field, type));
  if (matchers.length === 0) return undefined;
  return (obj) => matchers.every((m) => m(obj));
}
