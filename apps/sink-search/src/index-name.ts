// Index naming: one index per tenant and entity type, `<prefix><tenant>-<entityType>`, lowercased.
// Characters an index name may not contain become `_`.

const FORBIDDEN = /[\\/*?"<>|\s,#:]/g;

export function indexName(prefix: string, tenant: string, entityType: string): string {
  return `${prefix}${tenant}-${entityType}`.toLowerCase().replace(FORBIDDEN, '_');
}

/** The index-pattern covering every index of the prefix (the template's pattern). */
export function indexPattern(prefix: string): string {
  return `${prefix.toLowerCase()}*`;
}
