import { frame } from '@ingest-mesh/avro';
import { ConnectionError, InvalidPayloadError, SchemaDriftError } from '@ingest-mesh/reason-codes';
import { describe, expect, it } from 'vitest';
import { SinkRecordDecoder } from './decode.js';
import { FakeSchemas, IDS, inbound, sinkRecord, sinkRecordValue, TYPES } from './test-support/fake-schemas.js';
import { CUSTOMER_CREATED_AT, customerEntity } from './testing/sink-records.js';

const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function decoder() {
  const schemas = new FakeSchemas();
  return { schemas, decoder: new SinkRecordDecoder(schemas) };
}

describe('SinkRecordDecoder.decode', () => {
  it('decodes the envelope and the entity with their writer schemas', async () => {
    const { decoder: d } = decoder();
    const record = sinkRecord({ id: 'c1', revision: 7, priority: 'high', occurredAt: 1_700_000_000_123, traceparent: TRACE });
    const decoded = await d.decode(record);
    expect(decoded).toEqual({
      key: 'acme:customer:c1',
      topic: 'sink.test',
      partition: 0,
      offset: record.message.offset,
      tenant: 'acme',
      source: 'crm',
      entityType: 'customer',
      id: 'c1',
      revision: 7,
      occurredAt: new Date(1_700_000_000_123),
      priority: 'high',
      op: 'upsert',
      payload: customerEntity('c1'),
      payloadSchemaId: IDS.customer,
      traceparent: TRACE,
    });
    expect(decoded.payload!['createdAt']).toBe(CUSTOMER_CREATED_AT); // timestamp-millis stays epoch ms
  });

  it("prefers the traceparent header (the router's span) over the envelope field, and omits a missing one", async () => {
    const { decoder: d } = decoder();
    const header = '00-11111111111111111111111111111111-2222222222222222-01';
    const withHeader = inbound(sinkRecordValue({ id: 'c2', traceparent: TRACE }), { key: 'acme:customer:c2', headers: { traceparent: Buffer.from(header) } });
    expect((await d.decode(withHeader)).traceparent).toBe(header);
    const none = await d.decode(sinkRecord({ id: 'c3' }));
    expect('traceparent' in none).toBe(false);
  });

  it('decodes a delete as a tombstone: payload and payloadSchemaId null', async () => {
    const { decoder: d } = decoder();
    const decoded = await d.decode(sinkRecord({ id: 'c4', op: 'delete', revision: 3 }));
    expect(decoded).toMatchObject({ op: 'delete', revision: 3, payload: null, payloadSchemaId: null });
  });

  it('derives the key from the envelope when the record has none', async () => {
    const { decoder: d } = decoder();
    expect((await d.decode(inbound(sinkRecordValue({ id: 'c5', tenant: 'globex' })))).key).toBe('globex:customer:c5');
  });

  it('reuses an envelope read by peek() and fetches each writer schema through the catalog', async () => {
    const { schemas, decoder: d } = decoder();
    await d.decode(sinkRecord({ id: 'warm' }));
    const lookups = schemas.lookups;
    const record = sinkRecord({ id: 'c6', priority: 'low' });
    expect(d.peek(record.message)).toMatchObject({ id: 'c6', priority: 'low', tenant: 'acme' });
    await d.decode(record);
    expect(schemas.lookups - lookups).toBe(1); // the payload's schema only; the envelope was peeked
  });

  it.each([
    ['an empty value', inbound(Buffer.alloc(0)), InvalidPayloadError, /empty record value/],
    ['a null value', inbound(null), InvalidPayloadError, /empty record value/],
    ['JSON bytes', inbound(Buffer.from('{"tenant":"acme"}')), InvalidPayloadError, /not Confluent-framed/],
    ['a body that does not decode', inbound(frame(IDS.sinkRecord, Buffer.from([0xff, 0xff, 0xff]))), InvalidPayloadError, /does not decode/],
    ['an unknown writer id', inbound(frame(999, Buffer.from([1, 2]))), SchemaDriftError, /999 is unknown/],
    ['another record type', inbound(frame(IDS.rawEnvelope, Buffer.from([0]))), SchemaDriftError, /not mesh\.SinkRecord/],
    ['an upsert without payload', sinkRecord({ id: 'x1', payload: null }), InvalidPayloadError, /upsert without payload/],
    [
      'a payload that is not framed',
      sinkRecord({ id: 'x2', payload: Buffer.from('{}'), payloadSchemaId: IDS.customer }),
      InvalidPayloadError,
      /not Confluent-framed/,
    ],
    [
      'a payload framed with another id than payloadSchemaId',
      sinkRecord({ id: 'x3', payload: frame(IDS.customer, TYPES.get(IDS.customer)!.toBuffer(customerEntity('x3'))), payloadSchemaId: IDS.order }),
      SchemaDriftError,
      /framed with schema id 12 but payloadSchemaId says 14/,
    ],
    [
      'a payload that does not decode with its writer schema',
      sinkRecord({ id: 'x4', payload: frame(IDS.customer, Buffer.from([0x02])) }),
      InvalidPayloadError,
      /does not decode with its writer schema id 12/,
    ],
    ['a payload of an unknown schema id', sinkRecord({ id: 'x5', payload: frame(4242, Buffer.from([0])), payloadSchemaId: 4242 }), SchemaDriftError, /4242/],
  ])('rejects %s with a non-retryable reason', async (_label, record, type, message) => {
    const { decoder: d } = decoder();
    const err = await d.decode(record).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
    expect((err as { retryable: boolean }).retryable).toBe(false);
  });

  it('rejects an envelope with an empty required field, naming it', async () => {
    const { decoder: d } = decoder();
    const err = await d.decode(sinkRecord({ id: 'x6', tenant: '' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaDriftError);
    expect((err as Error).message).toContain('"tenant"');
  });

  it('passes a registry outage through as it is (retryable)', async () => {
    const { schemas, decoder: d } = decoder();
    schemas.down = new ConnectionError('registry unreachable');
    await expect(d.decode(sinkRecord({ id: 'x7' }))).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe('SinkRecordDecoder.peek', () => {
  it('reads nothing before the writer schema is known, and never throws', async () => {
    const { decoder: d } = decoder();
    const record = sinkRecord({ id: 'p1' });
    expect(d.peek(record.message)).toBeUndefined();
    expect(d.peek(inbound(Buffer.from('junk')).message)).toBeUndefined();
    await d.decode(sinkRecord({ id: 'p2' }));
    expect(d.peek(inbound(frame(IDS.sinkRecord, Buffer.from([0xff]))).message)).toBeUndefined();
    expect(d.peek(record.message)?.id).toBe('p1');
  });
});
