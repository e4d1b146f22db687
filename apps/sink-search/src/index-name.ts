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

/**
 * The priority of the prefix's index template. The engine refuses two composable templates with
 * overlapping patterns and the same priority, and prefixes overlap whenever one extends another
 * (`mesh-` and `mesh-eu-`): ranking by prefix length makes the more specific prefix win and two
 * different prefixes never tie (equal lengths overlap only when the prefixes are equal).
 */
export function templatePriority(prefix: string): number {
  return prefix.length;
}
