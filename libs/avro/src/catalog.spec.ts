// The catalog's caching and error rules, against an in-memory registry shaped like the client's
// HTTP resources (the integration test runs the same paths on the real registry).
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ConnectionError, InternalError, InvalidPayloadError, SchemaDriftError, UnknownEntityTypeError, ValidationError } from '@ingest-mesh/reason-codes';
import avsc from 'avsc';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SchemaCatalog } from './catalog.js';
import { frame, unframe } from './framing.js';
import { parseSchema } from './parse-schema.js';

const V1 = JSON.stringify({ type: 'record', name: 'Thing', namespace: 't', fields: [{ name: 'id', type: 'string' }] });
const V2 = JSON.stringify({
  type: 'record',
  name: 'Thing',
  namespace: 't',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'size', type: 'int', default: 7 },
  ],
});
const INCOMPATIBLE = JSON.stringify({ type: 'record', name: 'Thing', namespace: 't', fields: [{ name: 'id', type: 'long' }] });

class FakeRegistry {
  readonly schemas = new Map<number, { schema: string; schemaType?: string; references?: unknown[] }>();
  readonly subjects = new Map<string, { id: number; version: number }[]>();
  calls = { find: 0, latest: 0 };
  down = false;

  add(subject: string, id: number, schema: string): void {
    this.schemas.set(id, { schema });
    const versions = this.subjects.get(subject) ?? [];
    versions.push({ id, version: versions.length + 1 });
    this.subjects.set(subject, versions);
  }

  private fail(status: number, message: string): never {
    throw Object.assign(new Error(`Confluent_Schema_Registry - ${message}`), { status });
  }

  private unreachable(): void {
    if (this.down) this.fail(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:8081');
  }

  readonly api = {
    Schema: {
      find: async ({ id }: { id: number }) => {
        this.calls.find += 1;
        this.unreachable();
        const stored = this.schemas.get(id);
        if (stored === undefined) this.fail(404, `Schema ${id} not found.`);
        return { data: () => stored };
      },
    },
    Subject: {
      latestVersion: async ({ subject }: { subject: string }) => {
        this.calls.latest += 1;
        this.unreachable();
        const latest = this.subjects.get(subject)?.at(-1);
        if (latest === undefined) this.fail(404, `Subject '${subject}' not found.`);
        return { data: () => ({ subject, ...latest, ...this.schemas.get(latest.id) }) };
      },
      registered: async () => this.fail(500, 'not used here'),
    },
  };

  asRegistry(): SchemaRegistry {
    return this as unknown as SchemaRegistry;
  }
}

let registry: FakeRegistry;
let clock: number;
let catalog: SchemaCatalog;

beforeEach(() => {
  registry = new FakeRegistry();
  registry.add('entity.thing', 10, V1);
  clock = 1_000_000;
  catalog = new SchemaCatalog({ registry: registry.asRegistry(), refreshMs: 30_000, now: () => clock });
});

describe('SchemaCatalog.latest', () => {
  it('returns the latest schema of entity.<type> and caches it until refreshMs has passed', async () => {
    const first = await catalog.latest('thing');
    expect(first).toMatchObject({ subject: 'entity.thing', id: 10, version: 1 });
    registry.add('entity.thing', 11, V2);
    clock += 29_999;
    expect((await catalog.latest('thing')).id).toBe(10);
    expect(registry.calls.latest).toBe(1);
    clock += 1;
    const second = await catalog.latest('thing');
    expect(second).toMatchObject({ id: 11, version: 2 });
    expect(second.type.equals(parseSchema(V2))).toBe(true);
  });

  it('asks the registry once for concurrent callers', async () => {
    const all = await Promise.all([catalog.latest('thing'), catalog.latest('thing'), catalog.latest('thing')]);
    expect(new Set(all.map((l) => l.type)).size).toBe(1);
    expect(registry.calls.latest).toBe(1);
  });

  it('keeps the same Type object while the latest id does not change', async () => {
    const first = await catalog.latest('thing');
    clock += 30_000;
    expect((await catalog.latest('thing')).type).toBe(first.type);
    expect(await catalog.byId(10)).toBe(first.type);
    expect(registry.calls.find).toBe(0);
  });

  it('throws UnknownEntityTypeError for a subject the registry does not have, remembering it briefly', async () => {
    await expect(catalog.latest('ghost')).rejects.toThrow(UnknownEntityTypeError);
    await expect(catalog.latest('ghost')).rejects.toThrow('entity type "ghost" has no schema: registry subject entity.ghost does not exist');
    expect(registry.calls.latest).toBe(1);
    registry.add('entity.ghost', 20, V1);
    clock += 5_000;
    expect((await catalog.latest('ghost')).id).toBe(20);
  });

  it('names the registration tool when a mesh subject is missing', async () => {
    await expect(catalog.latestForSubject('mesh.SinkRecord')).rejects.toThrow(
      /mesh.SinkRecord does not exist \(register it with tools\/schemas\/register.ts\)/,
    );
  });

  it('throws ValidationError for a malformed entity type without asking the registry', async () => {
    await expect(catalog.latest('Not A Type')).rejects.toThrow(ValidationError);
    expect(registry.calls.latest).toBe(0);
  });

  it('throws a retryable ConnectionError when the registry is unreachable and nothing is cached', async () => {
    registry.down = true;
    const err = await catalog.latest('thing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
  });

  it('serves the last known version while the registry is unreachable, re-checking every second', async () => {
    await catalog.latest('thing');
    registry.down = true;
    clock += 30_000;
    expect((await catalog.latest('thing')).id).toBe(10);
    expect((await catalog.latest('thing')).id).toBe(10);
    expect(registry.calls.latest).toBe(2);
    registry.down = false;
    registry.add('entity.thing', 11, V2);
    clock += 1_000;
    expect((await catalog.latest('thing')).id).toBe(11);
  });

  it('forgets a subject that was deleted', async () => {
    await catalog.latest('thing');
    registry.subjects.delete('entity.thing');
    clock += 30_000;
    await expect(catalog.latest('thing')).rejects.toThrow(UnknownEntityTypeError);
  });

  it('throws SchemaDriftError for a latest schema that is not Avro', async () => {
    registry.add('entity.json', 30, '{"type":"object"}');
    registry.schemas.set(30, { schema: '{"type":"object"}', schemaType: 'JSON' });
    await expect(catalog.latest('json')).rejects.toThrow(/schema id 30 is a JSON schema, not Avro/);
  });
});

describe('SchemaCatalog.byId', () => {
  it('fetches a Type once and caches it for good', async () => {
    const type = await catalog.byId(10);
    clock += 10 * 60_000;
    expect(await catalog.byId(10)).toBe(type);
    expect(registry.calls.find).toBe(1);
  });

  it('re-fetches an id it has not seen and throws SchemaDriftError when the registry does not know it', async () => {
    await expect(catalog.byId(999_999_999)).rejects.toThrow(SchemaDriftError);
    await expect(catalog.byId(999_999_999)).rejects.toThrow('schema id 999999999 is unknown to the registry');
    expect(registry.calls.find).toBe(1);
    registry.add('entity.late', 999_999_999, V1);
    clock += 5_000;
    await expect(catalog.byId(999_999_999)).resolves.toBeDefined();
  });

  it('throws SchemaDriftError for a schema it cannot parse or that uses references', async () => {
    registry.schemas.set(40, { schema: '{"type":"record","name":"Bad","fields":[{"name":"x","type":"nope"}]}' });
    registry.schemas.set(41, { schema: V1, references: [{ name: 'x', subject: 'y', version: 1 }] });
    await expect(catalog.byId(40)).rejects.toThrow(/schema id 40 is not a valid Avro schema/);
    await expect(catalog.byId(41)).rejects.toThrow(/schema references/);
  });

  it('throws ConnectionError when unreachable and RangeError for an impossible id', async () => {
    registry.down = true;
    await expect(catalog.byId(10)).rejects.toThrow(ConnectionError);
    await expect(catalog.byId(-1)).rejects.toThrow(RangeError);
  });
});

describe('SchemaCatalog.schemaJsonById', () => {
  it('returns the stored schema as parsed JSON, a fresh copy each time, fetched once with the Type', async () => {
    const json = await catalog.schemaJsonById(10);
    expect(json).toEqual(JSON.parse(V1));
    (json as { name: string }).name = 'Mutated';
    expect(await catalog.schemaJsonById(10)).toEqual(JSON.parse(V1));
    await catalog.byId(10);
    expect(registry.calls.find).toBe(1);
  });

  it('knows the text of an id first seen as a latest version', async () => {
    registry.add('entity.thing', 11, V2);
    const { id } = await catalog.latest('thing');
    expect(await catalog.schemaJsonById(id)).toEqual(JSON.parse(V2));
    expect(registry.calls.find).toBe(0);
  });

  it('fails as byId does: SchemaDriftError for an unknown id, ConnectionError when unreachable', async () => {
    await expect(catalog.schemaJsonById(12_345)).rejects.toThrow(SchemaDriftError);
    registry.down = true;
    await expect(catalog.schemaJsonById(10)).rejects.toThrow(ConnectionError);
  });
});

describe('SchemaCatalog.encode / decode', () => {
  it('encodes with the latest schema and frames it with its id', async () => {
    const buf = await catalog.encode('thing', { id: 'a' });
    expect(unframe(buf)?.schemaId).toBe(10);
    expect(await catalog.decode(buf)).toEqual({ schemaId: 10, value: { id: 'a' } });
  });

  it('encodes for a subject given by name', async () => {
    registry.add('mesh.Thing', 12, V2);
    expect(unframe(await catalog.encode('mesh.Thing', { id: 'a', size: 1 }))?.schemaId).toBe(12);
  });

  it('refuses a value that does not fit, with a ValidationError naming the path', async () => {
    const err = await catalog.encode('thing', { id: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ field: 'id', rule: 'schema', message: 'value does not match entity.thing (schema id 10) at id' });
  });

  it('resolves old data into a newer reader, filling defaults, with one resolver per writer/reader pair', async () => {
    const v1Bytes = await catalog.encode('thing', { id: 'old' });
    registry.add('entity.thing', 11, V2);
    clock += 30_000;
    const reader = (await catalog.latest('thing')).type;
    const createResolver = vi.spyOn(avsc.Type.prototype, 'createResolver');
    try {
      expect(await catalog.decode(v1Bytes, reader)).toEqual({ schemaId: 10, value: { id: 'old', size: 7 } });
      expect(await catalog.decodeLatest(v1Bytes, 'thing')).toEqual({ schemaId: 10, value: { id: 'old', size: 7 } });
      expect(await catalog.decode(v1Bytes, reader)).toEqual({ schemaId: 10, value: { id: 'old', size: 7 } });
      // avsc also resolves nested types; count the top-level resolutions.
      const topLevel = (t: avsc.Type) => createResolver.mock.contexts.filter((c) => c === t).length;
      expect(topLevel(reader)).toBe(1);
      // A different reader object gets its own resolver.
      const otherReader = parseSchema(V2);
      await catalog.decode(v1Bytes, otherReader);
      expect(topLevel(otherReader)).toBe(1);
    } finally {
      createResolver.mockRestore();
    }
  });

  it('throws SchemaDriftError when the writer does not resolve into the reader', async () => {
    const v1Bytes = await catalog.encode('thing', { id: 'x' });
    await expect(catalog.decode(v1Bytes, parseSchema(INCOMPATIBLE))).rejects.toThrow(/data written with schema id 10 cannot be read as t.Thing/);
  });

  it('throws InvalidPayloadError for unframed or undecodable bytes and SchemaDriftError for an unknown writer', async () => {
    await expect(catalog.decode(Buffer.from('{"id":"x"}'))).rejects.toThrow(InvalidPayloadError);
    await expect(catalog.decode(frame(10, Buffer.from([0x05])))).rejects.toThrow(/does not decode with its writer schema id 10/);
    const good = await catalog.encode('thing', { id: 'x' });
    await expect(catalog.decode(Buffer.concat([good, Buffer.from([1])]))).rejects.toThrow(InvalidPayloadError);
    await expect(catalog.decode(frame(12345, Buffer.from([0])))).rejects.toThrow(SchemaDriftError);
  });
});

describe('SchemaCatalog construction', () => {
  it('refuses a registry client without the HTTP resources it needs', () => {
    expect(() => new SchemaCatalog({ registry: {} as SchemaRegistry })).toThrow(InternalError);
  });

  it('works with the real client class (its resources are where the catalog expects them)', async () => {
    const { SchemaRegistry: RealRegistry } = await import('@kafkajs/confluent-schema-registry');
    const catalogOnReal = new SchemaCatalog({ registry: new RealRegistry({ host: 'http://127.0.0.1:1' }) });
    expect(catalogOnReal.refreshMs).toBe(30_000);
  });
});
