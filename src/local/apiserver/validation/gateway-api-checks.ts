// The CEL rules (x-kubernetes-validations) of the Gateway API CRDs that the packaged schemas
// leave out, for the fields cutover's users write. Messages are the CRDs' own, reported the way
// the API server reports a failed CEL rule: `<field>: Invalid value: "object": <message>`.
import { invalidValue, type Cause } from './field-errors.js';
import { isRecord } from './meta-checks.js';

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function celFailure(field: string, message: string): Cause {
  return invalidValue(field, 'object', message);
}

function backendRefCauses(refs: unknown, field: string): Cause[] {
  return list(refs).flatMap((ref, j) => {
    if (!isRecord(ref)) return [];
    const isService = (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';
    return isService && ref.port === undefined
      ? [celFailure(`${field}[${j}]`, 'Must have port for Service reference')]
      : [];
  });
}

function pathCauses(match: unknown, field: string): Cause[] {
  const path = isRecord(match) && isRecord(match.path) ? match.path : undefined;
  if (!path) return [];
  const type = path.type ?? 'PathPrefix';
  const value = typeof path.value === 'string' ? path.value : '/';
  if ((type === 'Exact' || type === 'PathPrefix') && !value.startsWith('/'))
    return [
      celFailure(
        `${field}.path`,
        "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
      ),
    ];
  if ((type === 'Exact' || type === 'PathPrefix') && (value.includes('//') || /\/\.\.?(\/|$)/.test(value)))
    return [
      celFailure(
        `${field}.path`,
        "must not contain '//', '/./' or '/../' when type one of ['Exact', 'PathPrefix']",
      ),
    ];
  return [];
}

export function checkHttpRoute(spec: unknown): Cause[] {
  if (!isRecord(spec)) return [];
  return list(spec.rules).flatMap((rule, i) => {
    if (!isRecord(rule)) return [];
    const field = `spec.rules[${i}]`;
    return [
      ...backendRefCauses(rule.backendRefs, `${field}.backendRefs`),
      ...list(rule.matches).flatMap((m, j) => pathCauses(m, `${field}.matches[${j}]`)),
    ];
  });
}

export function checkGateway(spec: unknown): Cause[] {
  if (!isRecord(spec)) return [];
  const names = list(spec.listeners).map((l) => (isRecord(l) ? l.name : undefined));
  return new Set(names).size === names.length
    ? []
    : [celFailure('spec.listeners', 'Listener name must be unique within the Gateway')];
}
