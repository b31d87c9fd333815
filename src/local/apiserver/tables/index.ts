// meta.k8s.io/v1 Table responses for `kubectl get` (Accept: application/json;as=Table;…): the
// columns kubectl shows per kind, wide columns at priority 1, and each row's object as the
// client's includeObject asks: PartialObjectMetadata by default (so `-A` can print the
// namespace), the whole object for `Object` (kubectl's --sort-by sorts on it), or null for `None`.
// Kinds without a printer get Name + Age.
import type { ResourceType } from '../../resources.js';
import type { KubeObject } from '../../store/types.js';
import { ageSince } from './age.js';
import { AGE, columnsFor, NAME, type ColumnDefinition } from './columns.js';
import type { Json } from './format.js';
import { rowsFor } from './rows.js';

export { humanDuration } from './age.js';
export type { ColumnDefinition } from './columns.js';

/** metav1.IncludeObjectPolicy: which part of each object a Table row carries. */
export type IncludeObjectPolicy = 'None' | 'Metadata' | 'Object';

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: KubeObject['metadata'];
}

export interface TableOptions {
  resourceVersion: string;
  /** The clock ages are computed against. */
  now?: Date;
  /** `continue` token of a paged list, echoed into the Table's metadata. */
  continueToken?: string;
  /** Default `Metadata`, as the real server's. */
  includeObject?: IncludeObjectPolicy;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion: string; continue?: string };
  columnDefinitions: ColumnDefinition[];
  rows: Array<{
    cells: Array<string | number | null>;
    object: PartialObjectMetadata | KubeObject | null;
  }>;
}

export function toTable(resourceType: ResourceType, objects: KubeObject[], opts: TableOptions): Table {
  const now = opts.now ?? new Date();
  const row =
    rowsFor(resourceType.group, resourceType.kind) ??
    ((o: Json, at: Date) => [
      String((o.metadata as Json | undefined)?.name ?? ''),
      ageSince((o.metadata as Json | undefined)?.creationTimestamp, at),
    ]);
  const metadata: Table['metadata'] = { resourceVersion: opts.resourceVersion };
  if (opts.continueToken) metadata.continue = opts.continueToken;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: columnsFor(resourceType.group, resourceType.kind) ?? [NAME, AGE],
    rows: objects.map((obj) => ({
      cells: row(obj as unknown as Json, now),
      object: rowObject(obj, opts.includeObject ?? 'Metadata'),
    })),
  };
}

function rowObject(obj: KubeObject, policy: IncludeObjectPolicy): Table['rows'][number]['object'] {
  if (policy === 'None') return null;
  if (policy === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}
