// Registry subject names. Entity schemas live under `entity.<entityType>`; the mesh's own
// record schemas under their full name. Entity types whose first segment is `entity` or
// `mesh` are refused, so a name is never both an entity type and a subject.
import { ValidationError } from '@ingest-mesh/reason-codes';

export const SINK_RECORD_SUBJECT = 'mesh.SinkRecord';
export const RAW_ENVELOPE_SUBJECT = 'mesh.RawEnvelope';
export const ENTITY_SUBJECT_PREFIX = 'entity.';

/** Lower-case dotted identifiers: `customer`, `billing.invoice_line`. */
export const ENTITY_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

const RESERVED_FIRST_SEGMENTS: ReadonlySet<string> = new Set(['entity', 'mesh']);
const MAX_SHOWN = 80;

function firstSegment(name: string): string {
  const dot = name.indexOf('.');
  return dot === -1 ? name : name.slice(0, dot);
}

/** Throws ValidationError (field entityType, rule entityType) unless `entityType` is a valid entity type. */
export function assertEntityType(entityType: unknown): asserts entityType is string {
  if (typeof entityType !== 'string' || !ENTITY_TYPE_PATTERN.test(entityType)) {
    const shown = typeof entityType === 'string' ? JSON.stringify(entityType.slice(0, MAX_SHOWN)) : typeof entityType;
    throw new ValidationError(`entityType ${shown} must match ${ENTITY_TYPE_PATTERN.source}`, { field: 'entityType', rule: 'entityType' });
  }
  if (RESERVED_FIRST_SEGMENTS.has(firstSegment(entityType))) {
    throw new ValidationError(`entityType ${JSON.stringify(entityType)} may not start with the reserved segment "${firstSegment(entityType)}"`, {
      field: 'entityType',
      rule: 'entityType',
    });
  }
}

/** `customer` → `entity.customer`; ValidationError for a malformed or reserved entity type. */
export function entitySubject(entityType: string): string {
  assertEntityType(entityType);
  return `${ENTITY_SUBJECT_PREFIX}${entityType}`;
}

/**
 * The subject a catalog name stands for: a subject as it is when it starts with `entity.` or
 * `mesh.` (or is no valid entity type, e.g. `mesh.control-value`), else the entity type's subject.
 */
export function subjectOf(entityTypeOrSubject: string): string {
  if (typeof entityTypeOrSubject !== 'string' || entityTypeOrSubject.length === 0) {
    throw new ValidationError('an entity type or subject name is required', { field: 'entityType', rule: 'entityType' });
  }
  if (RESERVED_FIRST_SEGMENTS.has(firstSegment(entityTypeOrSubject)) || !ENTITY_TYPE_PATTERN.test(entityTypeOrSubject)) {
    return entityTypeOrSubject;
  }
  return entitySubject(entityTypeOrSubject);
}
