// Issue 4, item 7 — bad input, with the router in-process on the real stack: every record of a
// corpus of broken ones, sent to the raw topic like any producer's, ends in the DLQ with the
// right reason, its key, value and headers unchanged, and the error saying what is wrong; the
// good record sent after them is routed as usual (nothing blocks the partition).
import { frame, RAW_ENVELOPE_SUBJECT } from '@ingest-mesh/avro';
import { DLQ_HEADERS } from '@ingest-mesh/kafka-runtime';
import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, DLQ_TOPIC, envelope, header, lettersFrom, order, RouterRun, until } from './test-support/router-harness.js';

const r = new RouterRun();

beforeAll(() => r.start(), 180_000);
afterAll(() => r.stop(), 120_000);

interface Case {
  name: string;
  value: Buffer;
  reason: string;
  /** What x-mesh-error must say. */
  error: RegExp;
  /** x-mesh-tenant, when the router could read the tenant. */
  tenant?: string;
  /** Of the raw topic; default 0. */
  partition?: number;
}

/** ~5 MB: over the router's 1 MiB limit, under the raw topic's 8 MiB. */
const FIVE_MB = 5 * 1000 * 1000;
/** A schema id no registry has handed out. */
const UNKNOWN_SCHEMA_ID = 999_999_999;
/** Far deeper than the router's nesting limit (64): deep enough to overflow a recursive walk (~200 KB). */
const DEEP = 100_000;

async function corpus(): Promise<Case[]> {
  const id = (n: string) => `${r.run}-bad-${n}`;
  const json = (fields: Parameters<typeof envelope>[0]) => Buffer.from(envelope(fields));
  const good = json({ tenant: r.acme, entityType: 'customer', id: id('truncated'), payload: customer(id('truncated')) });
  const big = json({ tenant: r.acme, entityType: 'customer', id: id('big'), payload: customer(id('big'), { name: 'x'.repeat(FIVE_MB) }) });
  // The same as Avro: a RawEnvelope carrying a framed customer of ~5 MB.
  const bigAvro = await r.catalog.encode(RAW_ENVELOPE_SUBJECT, {
    tenant: r.acme,
    source: 'crm',
    entityType: 'customer',
    id: id('big-avro'),
    revision: 1,
    occurredAt: Date.now(),
    priority: 'normal',
    op: 'upsert',
    payload: await r.catalog.encode('customer', {
      id: id('big-avro'),
      name: 'x'.repeat(FIVE_MB),
      email: 'a@example.com',
      tier: 'free',
      country: null,
      createdAt: 0,
    }),
    traceparent: null,
  });
  // JSON that JSON.stringify cannot write: put in as text in place of a placeholder string.
  const withText = (value: Buffer, placeholder: string, text: string) => Buffer.from(value.toString('utf8').replace(JSON.stringify(placeholder), text));
  return [
    { name: 'truncated-json', value: good.subarray(0, good.length - 20), reason: 'INVALID_PAYLOAD', error: /^InvalidPayloadError: record is not JSON: / },
    {
      name: 'wrong-types',
      value: json({ tenant: r.acme, entityType: 'customer', id: id('types'), payload: customer(id('types'), { name: 42, createdAt: 'yesterday' }) }),
      reason: 'SCHEMA_DRIFT',
      error: /^SchemaDriftError: payload does not match the schema of entity type "customer": name: expected string, got 42; createdAt: .*"yesterday"/,
      tenant: r.acme,
    },
    {
      name: 'unknown-entity-type',
      value: json({ tenant: r.acme, entityType: `nosuch_${r.run}`, id: id('type'), payload: {} }),
      reason: 'UNKNOWN_ENTITY_TYPE',
      error: new RegExp(`^UnknownEntityTypeError: entity type "nosuch_${r.run}" has no schema: registry subject entity.nosuch_${r.run} does not exist`),
      tenant: r.acme,
    },
    {
      name: 'missing-id',
      value: Buffer.from(JSON.stringify({ tenant: r.acme, source: 'crm', entityType: 'customer', revision: 1, payload: customer('x') })),
      reason: 'VALIDATION_FAIL',
      error: /^ValidationError: invalid envelope: id: required field missing$/,
    },
    {
      name: 'non-numeric-revision',
      value: json({ tenant: r.acme, entityType: 'customer', id: id('rev'), revision: 'abc', payload: customer(id('rev')) }),
      reason: 'VALIDATION_FAIL',
      error: /^ValidationError: invalid envelope: revision: expected a non-negative integer up to 2\^53-1$/,
    },
    {
      name: 'too-large',
      value: big,
      reason: 'PAYLOAD_TOO_LARGE',
      error: new RegExp(`^PayloadTooLargeError: record is ${big.length} bytes; the limit is 1048576 \\(limits.maxRecordBytes\\)$`),
    },
    {
      name: 'too-large-avro',
      value: bigAvro,
      partition: 1, // a 5 MB record per partition: one produce batch stays under 8 MiB
      reason: 'PAYLOAD_TOO_LARGE',
      error: new RegExp(`^PayloadTooLargeError: record is ${bigAvro.length} bytes; the limit is 1048576 \\(limits.maxRecordBytes\\)$`),
    },
    {
      name: 'invalid-utf8',
      value: Buffer.concat([Buffer.from(`{"tenant":"${r.acme}","source":"crm","name":"`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
      reason: 'INVALID_PAYLOAD',
      error: /^InvalidPayloadError: record is not valid UTF-8 \(and not Confluent-framed Avro\)$/,
    },
    {
      name: 'avro-unknown-schema-id',
      value: frame(UNKNOWN_SCHEMA_ID, Buffer.from([0x02, 0x61, 0x02, 0x62])),
      reason: 'SCHEMA_DRIFT',
      error: new RegExp(`^SchemaDriftError: schema id ${UNKNOWN_SCHEMA_ID} is unknown to the registry`),
    },
    {
      name: 'unknown-tenant',
      value: json({ tenant: `nobody-${r.run}`, entityType: 'customer', id: id('tenant'), payload: customer(id('tenant')) }),
      reason: 'UNKNOWN_TENANT',
      error: new RegExp(`^UnknownTenantError: tenant "nobody-${r.run}" is not configured`),
      tenant: `nobody-${r.run}`,
    },
    {
      name: 'rule-pattern',
      value: json({ tenant: r.acme, entityType: 'customer', id: id('email'), payload: customer(id('email'), { email: 'not-an-email' }) }),
      reason: 'VALIDATION_FAIL',
      error: /^ValidationError: VALIDATION_FAIL: rule "pattern" failed for field "email": value "not-an-email" does not match \^\[\^@\\s\]\+@\[\^@\\s\]\+\$$/,
      tenant: r.acme,
    },
    {
      name: 'rule-min',
      value: json({ tenant: r.acme, entityType: 'order', id: id('amount'), payload: order(id('amount'), { amountCents: -5 }) }),
      reason: 'VALIDATION_FAIL',
      error: /^ValidationError: VALIDATION_FAIL: rule "min" failed for field "amountCents": value -5 is below the minimum 0$/,
      tenant: r.acme,
    },
    {
      name: 'too-deep-json',
      value: withText(
        json({ tenant: r.acme, entityType: 'customer', id: id('deep'), payload: customer(id('deep'), { name: '@deep' }) }),
        '@deep',
        `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`,
      ),
      reason: 'INVALID_PAYLOAD',
      error: /^InvalidPayloadError: record nests deeper than 64 levels of objects and arrays \(the limit\)$/,
    },
    {
      // 1e400 parses as Infinity: no schema type takes it (the webhook refuses the same record with a 400).
      name: 'non-finite-number',
      value: withText(json({ tenant: r.acme, entityType: 'customer', id: id('inf'), payload: customer(id('inf'), { country: '@inf' }) }), '@inf', '1e400'),
      reason: 'SCHEMA_DRIFT',
      error: /^SchemaDriftError: payload does not match the schema of entity type "customer": country: expected one of null \| string, got Infinity$/,
      tenant: r.acme,
    },
    {
      // order has a schema, but globex's route for it is turned off (tenantOverrides sinks: []).
      name: 'no-route',
      value: json({ tenant: r.globex, entityType: 'order', id: id('route'), payload: order(id('route')) }),
      reason: 'UNKNOWN_ROUTE',
      error: new RegExp(`^UnknownRouteError: no route sends entity type "order" of tenant "${r.globex}" to a sink`),
      tenant: r.globex,
    },
  ];
}

describe('ingest-router: bad input', () => {
  it('dead-letters every broken record with its reason, bytes and headers unchanged, and routes the good one after them', async () => {
    const cases = await corpus();
    const keyOf = (c: Case) => `bad:${c.name}:${r.run}`;
    // Per partition, a good record comes after the broken ones: it is routed as usual.
    const good = [0, 1].map((partition) => {
      const id = `${r.run}-bad-after-${partition}`;
      return { key: `${r.acme}:customer:${id}`, value: envelope({ tenant: r.acme, entityType: 'customer', id, payload: customer(id) }), partition };
    });
    await r.producer.send({
      topic: r.sourceTopic,
      acks: -1,
      messages: [...cases.map((c) => ({ key: keyOf(c), value: c.value, partition: c.partition ?? 0, headers: { 'x-test-case': c.name } })), ...good],
    });

    const letters = await until(`${cases.length} letters on ${DLQ_TOPIC}`, () => {
      const mine = lettersFrom(r.tail, r.sourceTopic);
      return mine.length >= cases.length ? mine : undefined;
    });
    await r.tail.keys(
      r.pgTopic,
      good.map((g) => g.key),
    );
    await r.tail.keys(
      r.searchTopic,
      good.map((g) => g.key),
    );
    // The routed ones (and only they) count for their tenant and source: what NoDataReceived watches.
    const metrics = (await (await fetch(`${r.base}/metrics`)).text()).split('\n');
    expect(metrics).toContain(`ingest_source_records_total{app="ingest-router",tenant="${r.acme}",source="crm"} 2`);
    await r.tail.settle(DLQ_TOPIC);
    expect(lettersFrom(r.tail, r.sourceTopic)).toHaveLength(cases.length); // no other record of the run

    const byKey = new Map<string, KafkaMessage>(letters.map((m) => [m.key!.toString(), m]));
    const source = new Map((await readSource()).map((s) => [`${s.partition}:${s.message.offset}`, s.message]));
    const outcomes = cases.map((c) => {
      const m = byKey.get(keyOf(c));
      return { name: c.name, reason: m && header(m, DLQ_HEADERS.reason), error: m && header(m, DLQ_HEADERS.error) };
    });
    // One table first, so a failure shows every case at once.
    expect(outcomes.map((o) => [o.name, o.reason])).toEqual(cases.map((c) => [c.name, c.reason]));
    for (const c of cases) {
      const m = byKey.get(keyOf(c))!;
      expect(m.value!.equals(c.value), c.name).toBe(true);
      expect(header(m, DLQ_HEADERS.error), c.name).toMatch(c.error);
      expect(header(m, DLQ_HEADERS.retryable), c.name).toBe('false');
      expect(header(m, DLQ_HEADERS.app), c.name).toBe('ingest-router');
      expect(header(m, DLQ_HEADERS.attempts), c.name).toBe('1');
      expect(header(m, DLQ_HEADERS.tenant), c.name).toBe(c.tenant);
      expect(header(m, 'x-test-case'), c.name).toBe(c.name);
      // Where it came from: the origin offset of the raw topic holds the very same bytes.
      expect(header(m, DLQ_HEADERS.originPartition), c.name).toBe(String(c.partition ?? 0));
      expect(source.get(`${header(m, DLQ_HEADERS.originPartition)}:${header(m, DLQ_HEADERS.originOffset)}`)?.value?.equals(c.value), c.name).toBe(true);
    }
    for (const name of ['too-large', 'too-large-avro']) expect(byKey.get(keyOf(cases.find((c) => c.name === name)!))!.value!.length).toBeGreaterThan(FIVE_MB);
  }, 180_000);

  it('dead-letters a tombstone (null value) as INVALID_PAYLOAD saying how to delete, and routes the record after it', async () => {
    const key = `bad:tombstone:${r.run}`;
    const id = `${r.run}-bad-after-tombstone`;
    const after = { key: `${r.acme}:customer:${id}`, value: envelope({ tenant: r.acme, entityType: 'customer', id, payload: customer(id) }), partition: 0 };
    await r.producer.send({ topic: r.sourceTopic, acks: -1, messages: [{ key, value: null, partition: 0, headers: { 'x-test-case': 'tombstone' } }, after] });

    const letter = await until('the tombstone on the DLQ', () => lettersFrom(r.tail, r.sourceTopic).find((m) => m.key?.toString() === key));
    expect(header(letter, DLQ_HEADERS.reason)).toBe('INVALID_PAYLOAD');
    expect(header(letter, DLQ_HEADERS.error)).toBe(
      'InvalidPayloadError: a Kafka tombstone (null value) is not an envelope: to delete an entity send an envelope with op "delete" and a revision',
    );
    expect(letter.value).toBeNull(); // still a tombstone: the original, unchanged
    expect(header(letter, DLQ_HEADERS.retryable)).toBe('false');
    expect(header(letter, DLQ_HEADERS.app)).toBe('ingest-router');
    expect(header(letter, DLQ_HEADERS.attempts)).toBe('1');
    expect(header(letter, DLQ_HEADERS.tenant)).toBeUndefined();
    expect(header(letter, DLQ_HEADERS.originPartition)).toBe('0');
    expect(header(letter, 'x-test-case')).toBe('tombstone');
    await r.tail.keys(r.pgTopic, [after.key]);
  }, 120_000);
});

/** The run's raw topic, read once from the start. */
async function readSource(): Promise<{ partition: number; message: KafkaMessage }[]> {
  const consumer = r.kafka.consumer({ groupId: `router-int-source-${r.run}` });
  const read: { partition: number; message: KafkaMessage }[] = [];
  const total = (await r.admin.fetchTopicOffsets(r.sourceTopic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [r.sourceTopic], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachMessage: async ({ partition, message }) => void read.push({ partition, message }) });
    await until('the raw topic read back', () => (read.length >= total ? true : undefined));
  } finally {
    await consumer.disconnect();
    await r.admin.deleteGroups([`router-int-source-${r.run}`]).catch(() => undefined);
  }
  return read;
}
