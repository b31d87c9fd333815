// The review APIs clients use to ask the server about themselves: SelfSubjectAccessReview
// (`kubectl auth can-i`), SelfSubjectRulesReview (`kubectl auth can-i --list`) and
// SelfSubjectReview (`kubectl auth whoami`). Like the real server they are create-only, never
// stored, and answer 201 with the request plus a status. The local cluster has no authorizer
// (it listens on loopback only): every review is allowed, and the reason says so.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../store/api-error.js';
import { decodeObjectBody, methodNotSupported, readBody, sendJson } from './http-io.js';

/** The user every request is, whatever token the kubeconfig carries. */
export const LOCAL_USER = {
  username: 'cutover-local',
  groups: ['system:masters', 'system:authenticated'],
};

export const ALLOWED_REASON = 'the local cluster authorizes every request: it has no RBAC';

export interface ReviewType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
}

export const REVIEW_TYPES: ReviewType[] = [
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    resource: 'selfsubjectreviews',
    kind: 'SelfSubjectReview',
    singular: 'selfsubjectreview',
  },
  // v1beta1 is what kubectl 1.27 asks for (1.28 went GA and asks v1 first).
  {
    group: 'authentication.k8s.io',
    version: 'v1beta1',
    resource: 'selfsubjectreviews',
    kind: 'SelfSubjectReview',
    singular: 'selfsubjectreview',
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    singular: 'selfsubjectaccessreview',
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectrulesreviews',
    kind: 'SelfSubjectRulesReview',
    singular: 'selfsubjectrulesreview',
  },
];

/** The review a path names (`/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`), if any. */
export function reviewAt(path: string): ReviewType | undefined {
  return REVIEW_TYPES.find((t) => path === `/apis/${t.group}/${t.version}/${t.resource}`);
}

function reviewStatus(type: ReviewType, body: Record<string, unknown>): Record<string, unknown> {
  switch (type.kind) {
    case 'SelfSubjectReview':
      return { userInfo: LOCAL_USER };
    case 'SelfSubjectAccessReview': {
      const spec = body.spec as Record<string, unknown> | undefined;
      if (!spec || (!spec.resourceAttributes && !spec.nonResourceAttributes))
        throw badRequest('exactly one of nonResourceAttributes or resourceAttributes must be specified');
      return { allowed: true, reason: ALLOWED_REASON };
    }
    default:
      return {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
  }
}

export async function handleReview(
  type: ReviewType,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') throw methodNotSupported();
  const body = decodeObjectBody(await readBody(req), req.headers['content-type']);
  const spec = body.spec ?? {};
  sendJson(res, 201, {
    kind: type.kind,
    apiVersion: `${type.group}/${type.version}`,
    metadata: { creationTimestamp: null },
    ...(type.kind === 'SelfSubjectReview' ? {} : { spec }),
    status: reviewStatus(type, body),
  });
}
