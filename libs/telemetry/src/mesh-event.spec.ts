import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { InvalidPayloadError } from '@ingest-mesh/reason-codes';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { decodeMeshEvent, fromMeshEventRecord, meshEventSchema, toMeshEventRecord, type MeshEvent } from './mesh-event.js';

const type = avro.Type.forSchema(JSON.parse(meshEventSchema()));
const event: MeshEvent = {
  type: 'batch.completed',
  app: 'sink-postgres',
  instance: 'pod-1',
  at: '2025-01-02T03:04:05.678Z',
  tenant: 'acme',
  data: { records: 500, written: 498, nested: { ok: true } },
};

/** Confluent framing around plain Avro, as the registry client writes it. */
function framed(record: unknown, id = 42): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, type.toBuffer(record)]);
}

const decodingRegistry = { decode: async (buffer: Buffer) => type.fromBuffer(buffer.subarray(5)) } as unknown as SchemaRegistry;

describe('MeshEvent.avsc', () => {
  it('is the mesh.MeshEvent record with exactly the documented fields', () => {
    expect(type.name).toBe('mesh.MeshEvent');
    const schema = JSON.parse(meshEventSchema()) as { fields: { name: string }[] };
    expect(schema.fields.map((f) => f.name)).toEqual(['type', 'app', 'instance', 'at', 'tenant', 'dataJson']);
  });

  it('round-trips an event through Avro, with and without a tenant', async () => {
    expect(await decodeMeshEvent(decodingRegistry, framed(toMeshEventRecord(event)))).toEqual(event);
    const { tenant: _tenant, ...untenanted } = event;
    const decoded = await decodeMeshEvent(decodingRegistry, framed(toMeshEventRecord(untenanted)));
    expect(decoded).toEqual(untenanted);
    expect('tenant' in decoded).toBe(false);
  });
});

describe('toMeshEventRecord', () => {
  it('stores data as JSON text and bigint as a decimal string', () => {
    const record = toMeshEventRecord({ ...event, data: { offset: 9007199254740993n } });
    expect(record.dataJson).toBe('{"offset":"9007199254740993"}');
    expect(type.isValid(record)).toBe(true);
  });

  it('throws on data that cannot be JSON (a cycle)', () => {
    const data: Record<string, unknown> = {};
    data.self = data;
    expect(() => toMeshEventRecord({ ...event, data })).toThrow(TypeError);
  });
});

describe('fromMeshEventRecord / decodeMeshEvent rejections', () => {
  const record = toMeshEventRecord(event);
  it.each<[string, unknown]>([
    ['not an object', 'text'],
    ['a missing field', { ...record, app: undefined }],
    ['dataJson that is not JSON', { ...record, dataJson: '{oops' }],
    ['dataJson that is not an object', { ...record, dataJson: '[1,2]' }],
  ])('rejects %s as INVALID_PAYLOAD', (_name, value) => {
    expect(() => fromMeshEventRecord(value)).toThrow(InvalidPayloadError);
  });

  it('rejects bytes without Confluent framing before asking the registry', async () => {
    let asked = false;
    const registry = { decode: async () => ((asked = true), {}) } as unknown as SchemaRegistry;
    await expect(decodeMeshEvent(registry, Buffer.from('{"type":"x"}'))).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    await expect(decodeMeshEvent(registry, Buffer.from([0, 0, 0]))).rejects.toBeInstanceOf(InvalidPayloadError);
    expect(asked).toBe(false);
  });
});
