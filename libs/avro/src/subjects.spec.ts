import { ValidationError } from '@ingest-mesh/reason-codes';
import { describe, expect, it } from 'vitest';
import { RAW_ENVELOPE_SUBJECT, SINK_RECORD_SUBJECT, entitySubject, subjectOf } from './subjects.js';

describe('entitySubject', () => {
  it('prefixes valid entity types with entity.', () => {
    expect(entitySubject('customer')).toBe('entity.customer');
    expect(entitySubject('billing.invoice_line2')).toBe('entity.billing.invoice_line2');
  });

  it.each(['', 'Customer', '1customer', 'customer.', '.customer', 'cust-omer', 'a..b', 'a.B', ' customer', 'customer\n'])(
    'refuses %j with a ValidationError on field entityType',
    (bad) => {
      const call = () => entitySubject(bad);
      expect(call).toThrow(ValidationError);
      expect(call).toThrow(/must match/);
      try {
        call();
      } catch (err) {
        expect(err).toMatchObject({ code: 'VALIDATION_FAIL', field: 'entityType', rule: 'entityType', retryable: false });
      }
    },
  );

  it('refuses entity types starting with a reserved segment', () => {
    expect(() => entitySubject('entity.customer')).toThrow(/reserved segment "entity"/);
    expect(() => entitySubject('mesh.sinkrecord')).toThrow(/reserved segment "mesh"/);
    expect(entitySubject('meshes')).toBe('entity.meshes');
  });

  it('refuses non-strings', () => {
    expect(() => entitySubject(42 as unknown as string)).toThrow(ValidationError);
  });
});

describe('subjectOf', () => {
  it('maps entity types to their subject and leaves subjects as they are', () => {
    expect(subjectOf('customer')).toBe('entity.customer');
    expect(subjectOf('entity.customer')).toBe('entity.customer');
    expect(subjectOf(SINK_RECORD_SUBJECT)).toBe('mesh.SinkRecord');
    expect(subjectOf(RAW_ENVELOPE_SUBJECT)).toBe('mesh.RawEnvelope');
    expect(subjectOf('mesh.control-value')).toBe('mesh.control-value');
  });

  it('refuses an empty name', () => {
    expect(() => subjectOf('')).toThrow(ValidationError);
  });
});
