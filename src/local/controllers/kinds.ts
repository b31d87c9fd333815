// The resource types the controllers and the pod runtime read and write, looked up once.
import { findResource, type ResourceType } from '../resources.js';

function must(group: string, resource: string): ResourceType {
  const r = findResource(group, resource);
  if (!r) throw new Error(`resource ${resource}.${group} is missing from RESOURCE_TYPES`);
  return r;
}

export const PODS = must('', 'pods');
export const SERVICES = must('', 'services');
export const ENDPOINTS = must('', 'endpoints');
export const SECRETS = must('', 'secrets');
export const CONFIGMAPS = must('', 'configmaps');
export const EVENTS = must('', 'events');
export const NAMESPACES = must('', 'namespaces');
export const DEPLOYMENTS = must('apps', 'deployments');
export const REPLICASETS = must('apps', 'replicasets');
