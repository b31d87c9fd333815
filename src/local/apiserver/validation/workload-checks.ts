// Deployment and ReplicaSet rules (k8s.io/kubernetes/pkg/apis/apps/validation): a selector that
// is present, not empty and matches the template's labels; replica counts; the strategy; and
// on update, apps/v1's immutable selector.
import { forbidden, invalidValue, notSupported, required, type Cause } from './field-errors.js';
import { GoLiteral, goLabelSelector, goStringMap } from './go-format.js';
import { asSelector, isEmptySelector, selectorMatches, type LabelSelector } from './label-selector.js';
import { checkAnnotations, checkLabels, isRecord } from './meta-checks.js';
import { checkPodSpec } from './pod-spec-checks.js';

export function checkWorkload(
  kind: 'Deployment' | 'ReplicaSet',
  spec: unknown,
  old?: Record<string, unknown>,
): Cause[] {
  const s = isRecord(spec) ? spec : {};
  const causes = [...checkCounts(s), ...checkSelectorAndTemplate(kind, s)];
  if (kind === 'Deployment') causes.push(...checkStrategy(s.strategy));
  if (old && isRecord(old.spec)) causes.push(...checkImmutableSelector(s.selector, old.spec.selector));
  return causes;
}

function checkCounts(s: Record<string, unknown>): Cause[] {
  const causes: Cause[] = [];
  for (const field of ['replicas', 'minReadySeconds', 'revisionHistoryLimit']) {
    const v = s[field];
    if (typeof v === 'number' && v < 0)
      causes.push(invalidValue(`spec.${field}`, v, 'must be greater than or equal to 0'));
  }
  const deadline = s.progressDeadlineSeconds;
  if (typeof deadline === 'number' && deadline <= Number(s.minReadySeconds ?? 0)) {
    causes.push(
      invalidValue('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'),
    );
  }
  return causes;
}

function checkSelectorAndTemplate(kind: string, s: Record<string, unknown>): Cause[] {
  const causes: Cause[] = [];
  const selector = asSelector(s.selector);
  const template = isRecord(s.template) ? s.template : undefined;
  const templateMeta = template && isRecord(template.metadata) ? template.metadata : {};
  const labels = (isRecord(templateMeta.labels) ? templateMeta.labels : {}) as Record<string, string>;
  if (!selector) causes.push(required('spec.selector'));
  else {
    if (isEmptySelector(selector))
      causes.push(
        invalidValue(
          'spec.selector',
          new GoLiteral(goLabelSelector(selector)),
          `empty selector is invalid for ${kind.toLowerCase()}`,
        ),
      );
    causes.push(...checkLabels(selector.matchLabels, 'spec.selector.matchLabels'));
    if (!isEmptySelector(selector) && !selectorMatches(selector, labels)) {
      causes.push(
        invalidValue(
          'spec.template.metadata.labels',
          new GoLiteral(goStringMap(labels)),
          '`selector` does not match template `labels`',
        ),
      );
    }
  }
  if (!template) return [...causes, required('spec.template')];
  causes.push(
    ...checkLabels(templateMeta.labels, 'spec.template.metadata.labels'),
    ...checkAnnotations(templateMeta.annotations, 'spec.template.metadata.annotations'),
  );
  causes.push(...checkPodSpec(template.spec, 'spec.template.spec', true));
  return causes;
}

const STRATEGIES = ['Recreate', 'RollingUpdate'];

function checkStrategy(strategy: unknown): Cause[] {
  if (!isRecord(strategy)) return [];
  const type = strategy.type ?? 'RollingUpdate';
  if (!STRATEGIES.includes(String(type))) return [notSupported('spec.strategy.type', type, STRATEGIES)];
  if (type === 'Recreate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    return [
      forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"),
    ];
  }
  return [];
}

function checkImmutableSelector(selector: unknown, oldSelector: unknown): Cause[] {
  if (JSON.stringify(normalise(selector)) === JSON.stringify(normalise(oldSelector))) return [];
  return [
    invalidValue('spec.selector', new GoLiteral(goLabelSelector(asSelector(selector))), 'field is immutable'),
  ];
}

function normalise(value: unknown): LabelSelector {
  const s = asSelector(value) ?? {};
  const labels = s.matchLabels ?? {};
  return {
    matchLabels: Object.fromEntries(
      Object.keys(labels)
        .sort()
        .map((k) => [k, labels[k]!]),
    ),
    matchExpressions: s.matchExpressions ?? [],
  };
}
