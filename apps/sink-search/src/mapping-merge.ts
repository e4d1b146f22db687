// Merging the properties derived from several schema versions of one entity type: the union of
// their fields, objects merged field by field, and the later version winning a field both map
// differently (the engine keeps an existing index's type anyway: PUT _mapping only adds).
import type { FieldMapping, MappingProperties } from './avro-mapping.js';

export function mergeProperties(into: MappingProperties, from: MappingProperties): MappingProperties {
  const merged: MappingProperties = { ...into };
  for (const [name, mapping] of Object.entries(from)) {
    const existing = merged[name];
    merged[name] =
      existing !== undefined && isObjectMapping(existing) && isObjectMapping(mapping)
        ? { ...existing, ...mapping, properties: mergeProperties(existing.properties ?? {}, mapping.properties ?? {}) }
        : mapping;
  }
  return merged;
}

function isObjectMapping(m: FieldMapping): boolean {
  return m.properties !== undefined && (m.type === undefined || m.type === 'object');
}
