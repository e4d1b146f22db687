// The composable index templates of a prefix: the base one, `<prefix>template` for `<prefix>*`
// (dynamic mapping), and one per entity type, `<prefix>entity-<entityType>` for
// `<prefix>*-<entityType>`, with the mappings derived from the entity's Avro schema.
//
// Only the highest-priority matching template applies, so an entity template repeats the base
// settings, and priorities must differ wherever patterns overlap (the engine refuses two
// overlapping templates of equal priority). Priorities grow with the prefix's length: a longer
// prefix is more specific (`mesh-it-1234-` inside `mesh-`), its templates win over the shorter
// prefix's, and base (even) and entity (odd) priorities never collide.
import type { MappingProperties } from './avro-mapping.js';
import { indexName, indexPattern } from './index-name.js';

export interface TemplateBody {
  index_patterns: string[];
  priority: number;
  template: {
    settings: { number_of_replicas: number };
    mappings: { dynamic: boolean; _meta: IndexMeta; properties?: MappingProperties };
  };
}

/**
 * Stamped into the mappings of every index the templates create. `<prefix>*-<type>` also matches
 * the indexes of a longer prefix (`mesh-` covers `mesh-eu-…`), which belong to another sink: the
 * stamp tells them apart when fields are added to existing indexes.
 */
export interface IndexMeta {
  managedBy: 'sink-search';
  indexPrefix: string;
}

export function indexMeta(prefix: string): IndexMeta {
  return { managedBy: 'sink-search', indexPrefix: prefix.toLowerCase() };
}

/** Whether an existing index is the prefix's: stamped with it, or not stamped (created before the stamp, by dynamic mapping). */
export function belongsToPrefix(meta: { indexPrefix?: unknown } | undefined, prefix: string): boolean {
  return meta?.indexPrefix === undefined || meta.indexPrefix === prefix.toLowerCase();
}

export function baseTemplateName(prefix: string): string {
  return `${prefix.toLowerCase()}template`;
}

export function baseTemplatePriority(prefix: string): number {
  return 2 * prefix.length;
}

/** `-<entityType>` as it ends every index name of the entity type (sanitized like index names). */
function entitySuffix(entityType: string): string {
  return indexName('', '', entityType);
}

export function entityTemplateName(prefix: string, entityType: string): string {
  return `${prefix.toLowerCase()}entity${entitySuffix(entityType)}`;
}

/** Every tenant's index of the entity type. Entity types contain no `-`, so no other type's indexes match. */
export function entityIndexPattern(prefix: string, entityType: string): string {
  return `${prefix.toLowerCase()}*${entitySuffix(entityType)}`;
}

/** The templates of the prefix, for clean-up: the base one and every entity one. */
export function templateNamePatterns(prefix: string): string[] {
  return [baseTemplateName(prefix), `${prefix.toLowerCase()}entity-*`];
}

export function baseTemplate(prefix: string, replicas: number): TemplateBody {
  return {
    index_patterns: [indexPattern(prefix)],
    priority: baseTemplatePriority(prefix),
    template: { settings: { number_of_replicas: replicas }, mappings: { dynamic: true, _meta: indexMeta(prefix) } },
  };
}

/**
 * `dynamic: true` stays on: fields the schema leaves to the engine (multi-branch unions,
 * recursion) and fields of a newer schema version not seen yet by this process are still indexed
 * rather than dropped (`false`) or refused (`strict`); a new schema id gets its fields mapped
 * explicitly before its first document is written.
 */
export function entityTemplate(prefix: string, entityType: string, properties: MappingProperties, replicas: number): TemplateBody {
  return {
    index_patterns: [entityIndexPattern(prefix, entityType)],
    priority: baseTemplatePriority(prefix) + 1,
    template: { settings: { number_of_replicas: replicas }, mappings: { dynamic: true, _meta: indexMeta(prefix), properties } },
  };
}
