// The sink's mappings from the schemas, with a fake schema source and a fake engine: applied
// before the first write of an entity type / schema id, once, merged across schema versions,
// and the failure policy (registry down → retryable throw; unusable schema or refused mapping →
// recorded, writes go on).
import { readFileSync } from 'node:fs';
import { ConnectionError, SchemaDriftError, classify } from '@ingest-mesh/reason-codes';
import { describe, expect, it } from 'vitest';
import type { MappingIssue, SchemaSource } from './entity-mappings.js';
import { SearchSink } from './search-sink.js';
import { FakeBackend } from './test-support/fake-backend.js';
import { record } from './test-support/records.js';

const signal = new AbortController().signal;
const CUSTOMER = JSON.parse(readFileSync(new URL('../../../schemas/entities/customer.avsc', import.meta.url), 'utf8')) as { fields: unknown[] };
/** customer v2: BACKWARD-compatible, a new optional field. */
const CUSTOMER_V2 = { ...CUSTOMER, fields: [...CUSTOMER.fields, { name: 'phone', type: ['null', 'string'], default: null }] };

class FakeSchemas implements SchemaSource {
  readonly byId = new Map<number, unknown>([
    [7, CUSTOMER],
    [8, CUSTOMER_V2],
  ]);
  readonly calls: number[] = [];
  down = false;
  async schemaJsonById(id: number): Promise<unknown> {
    this.calls.push(id);
    if (this.down) throw new ConnectionError('schema registry unavailable while fetching schema id: connect ECONNREFUSED');
    if (!this.byId.has(id)) throw new SchemaDriftError(`schema id ${id} is unknown to the registry`);
    return structuredClone(this.byId.get(id));
  }
}

const customer = (id: string, revision: number, payloadSchemaId = 7) =>
  record({ id, revision, payloadSchemaId, payload: { id, name: 'N', email: `${id}@x.io`, tier: 'pro', country: null, createdAt: 1 } });

function setup() {
  const backend = new FakeBackend();
  const schemas = new FakeSchemas();
  const issues: MappingIssue[] = [];
  const sink = new SearchSink({ backend, schemas, onMappingIssue: (i) => issues.push(i) });
  return { backend, schemas, sink, issues };
}

describe('SearchSink mappings from the schemas', () => {
  it('applies the derived mapping before the first write of an entity type, once per schema id', async () => {
    const { backend, schemas, sink } = setup();
    expect(await sink.writeBatch([customer('a', 1), customer('b', 1)], { signal })).toEqual([{ status: 'written' }, { status: 'written' }]);
    expect(backend.calls).toEqual(['mapping:customer', 'bulk']);
    expect(backend.mappings[0]!.properties).toMatchObject({
      id: { type: 'keyword' },
      email: { type: 'text', fields: { keyword: { type: 'keyword' } } },
      createdAt: { type: 'date' },
      '@mesh': { properties: { revision: { type: 'long' }, occurredAt: { type: 'date' } } },
    });
    await sink.writeBatch([customer('c', 1)], { signal });
    expect(schemas.calls).toEqual([7]);
    expect(backend.mappings).toHaveLength(1);
    expect((await sink.health()).details).toMatchObject({ cluster: 'fake', mappings: { applied: ['customer@7'], issues: [] } });
  });

  it('a new schema id (a field added) maps the new field, keeping the earlier ones', async () => {
    const { backend, sink } = setup();
    await sink.writeBatch([customer('a', 1, 8)], { signal });
    await sink.writeBatch([customer('b', 1, 7)], { signal });
    expect(backend.mappings.map((m) => Object.keys(m.properties).includes('phone'))).toEqual([true, true]);
    expect(backend.mappings[1]!.properties.phone).toEqual({ type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } });
  });

  it('deletes need no mapping; concurrent batches share one fetch', async () => {
    const { backend, schemas, sink } = setup();
    await sink.writeBatch([record({ id: 'd', revision: 2, op: 'delete' })], { signal });
    expect(backend.calls).toEqual(['bulk']);
    await Promise.all([
      sink.writeBatch([customer('a', 1)], { signal }),
      sink.writeBatch([customer('b', 1)], { signal }),
      sink.writeBatch([customer('c', 1)], { signal }),
    ]);
    expect(schemas.calls).toEqual([7]);
    expect(backend.mappings).toHaveLength(1);
  });

  it('registry unreachable → writeBatch throws a retryable CONNECTION_ERROR and writes nothing; the next batch maps and writes', async () => {
    const { backend, schemas, sink } = setup();
    schemas.down = true;
    const failure = await sink.writeBatch([customer('a', 1)], { signal }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect(classify(failure)).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    expect(String((failure as Error).message)).toMatch(/customer.*schema id 7/);
    expect(backend.calls).toEqual([]);
    schemas.down = false;
    expect(await sink.writeBatch([customer('a', 1)], { signal })).toEqual([{ status: 'written' }]);
    expect(backend.calls).toEqual(['mapping:customer', 'bulk']);
  });

  it('the engine unreachable while mapping → writeBatch throws, and the mapping is tried again next time', async () => {
    const { backend, sink } = setup();
    backend.mappingError = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9200'), { name: 'ConnectionError' });
    await expect(sink.writeBatch([customer('a', 1)], { signal })).rejects.toThrow(/ECONNREFUSED/);
    backend.mappingError = undefined;
    expect(await sink.writeBatch([customer('a', 1)], { signal })).toEqual([{ status: 'written' }]);
    expect(backend.calls).toEqual(['mapping:customer', 'mapping:customer', 'bulk']);
  });

  it('a schema the registry does not know → recorded, dynamic mapping, not asked again', async () => {
    const { backend, schemas, sink, issues } = setup();
    expect(await sink.writeBatch([customer('a', 1, 99)], { signal })).toEqual([{ status: 'written' }]);
    await sink.writeBatch([customer('b', 1, 99)], { signal });
    expect(schemas.calls).toEqual([99]);
    expect(backend.mappings).toEqual([]);
    expect((await sink.health()).details).toMatchObject({ mappings: { applied: [] } });
    expect(issues).toEqual([
      expect.objectContaining({ entityType: 'customer', schemaId: 99, target: 'schema', reason: expect.stringMatching(/SCHEMA_DRIFT.*unknown.*dynamic/) }),
    ]);
  });

  it('a mapping the engine refuses → in health details and onMappingIssue; the writes go on', async () => {
    const { backend, sink, issues } = setup();
    backend.refusals = [
      { target: 'mesh-acme-customer', reason: 'illegal_argument_exception: mapper [createdAt] cannot be changed from type [long] to [date]' },
    ];
    expect(await sink.writeBatch([customer('a', 1)], { signal })).toEqual([{ status: 'written' }]);
    expect(issues).toHaveLength(1);
    const health = await sink.health();
    expect(health.ok).toBe(true);
    expect(health.details).toMatchObject({
      mappings: {
        applied: ['customer@7'],
        issues: [{ entityType: 'customer', schemaId: 7, target: 'mesh-acme-customer', reason: expect.stringContaining('createdAt') }],
      },
    });
  });

  it('without a schema source the engine maps dynamically (no mapping calls)', async () => {
    const backend = new FakeBackend();
    await new SearchSink({ backend }).writeBatch([customer('a', 1)], { signal });
    expect(backend.calls).toEqual(['bulk']);
  });
});
