// The pure modules the server calls: patch, validation and Table output. Gathered in one object
// so a handler reaches them through its context, and tests or benchmarks can swap one.
import { applyPatch } from './patch/index.js';
import { pruneUnknownFields, validateObject, validationError } from './validation/index.js';
import { toTable } from './tables/index.js';

export type { FieldValidation } from './validation/index.js';
export type { WriteOperation } from './validation/index.js';

export interface ApiModules {
  applyPatch: typeof applyPatch;
  validateObject: typeof validateObject;
  validationError: typeof validationError;
  pruneUnknownFields: typeof pruneUnknownFields;
  toTable: typeof toTable;
}

export function loadModules(): ApiModules {
  return { applyPatch, validateObject, validationError, pruneUnknownFields, toTable };
}
