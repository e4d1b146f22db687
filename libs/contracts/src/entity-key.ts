// The mesh's key of an entity: `tenant:entityType:id`. The router keys every SinkRecord with it,
// producers are asked to key ingest.raw with it, and sinks and the replay-coordinator read the
// tenant back from it. Tenant and entity type hold no ':'; the id may (it is everything after).

export interface EntityRef {
  tenant: string;
  entityType: string;
  id: string;
}

export function entityKey(ref: EntityRef): string {
  return `${ref.tenant}:${ref.entityType}:${ref.id}`;
}

/** The parts of a key of the mesh's shape; undefined for any other key (too few parts, an empty tenant or type). */
export function parseEntityKey(key: Buffer | string | null | undefined): EntityRef | undefined {
  if (key === null || key === undefined) return undefined;
  const text = typeof key === 'string' ? key : key.toString('utf8');
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  if (first <= 0 || second < 0 || second === first + 1) return undefined;
  return { tenant: text.slice(0, first), entityType: text.slice(first + 1, second), id: text.slice(second + 1) };
}
