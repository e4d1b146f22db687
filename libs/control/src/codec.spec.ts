// Codec behaviour with an in-memory registry; codec.int.spec.ts runs it against the real one.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ConnectionError, InvalidPayloadError, SchemaDriftError } from '@ingest-mesh/reason-codes';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { ControlCodec } from './codec.js';
import { CONTROL_COMMAND_SCHEMA } from './schema.js';
import { InvalidCommandError } from './shape.js';
import { signCommand } from './signature.js';
import { newCommand } from './new-command.js';

const SECRET = 'unit-test-control-secret-of-enough-bytes';
const CONTROL_ID = 41;

class InMemoryRegistry {
  registrations = 0;
  failNextRegister: unknown = undefined;
  readonly schemas = new Map<number, unknown>();

  async register(schema: { schema: string }, _opts: { subject: string }): Promise<{ id: number }> {
    this.registrations += 1;
    if (this.failNextRegister !== undefined) {
      const err = this.failNextRegister;
      this.failNextRegister = undefined;
      throw err;
    }
    this.schemas.set(CONTROL_ID, avsc.Type.forSchema(JSON.parse(schema.schema)));
    return { id: CONTROL_ID };
  }

  async getSchema(id: number): Promise<unknown> {
    const schema = this.schemas.get(id);
    if (schema === undefined) throw Object.assign(new Error(`Schema ${id} not found`), { status: 404 });
    return schema;
  }
}

function setup() {
  const registry = new InMemoryRegistry();
  const codec = new ControlCodec(registry as unknown as SchemaRegistry);
  return { registry, codec };
}

const signed = () => signCommand(newCommand({ type: 'pause', target: { app: 'sink-postgres' }, args: { why: 'maintenance' }, issuedBy: 'unit' }), SECRET);

function framed(id: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id, 1);
  return Buffer.concat([header, body]);
}

describe('ControlCodec', () => {
  it('frames the Avro body with magic byte 0 and the registered schema id, and decodes it back', async () => {
    const { codec } = setup();
    const cmd = signed();
    const buf = await codec.encode(cmd);
    expect(buf.readUInt8(0)).toBe(0);
    expect(buf.readUInt32BE(1)).toBe(CONTROL_ID);
    expect(await codec.decode(buf)).toEqual(cmd);
  });

  it('registers the schema once per codec, and again after a failed attempt', async () => {
    const { registry, codec } = setup();
    registry.failNextRegister = Object.assign(new Error('socket hang up'), { status: 400 });
    await expect(codec.encode(signed())).rejects.toBeInstanceOf(ConnectionError);
    await codec.encode(signed());
    await codec.encode(signed());
    expect(registry.registrations).toBe(2);
  });

  it('reports a refused (incompatible) schema as SCHEMA_DRIFT', async () => {
    const { registry, codec } = setup();
    registry.failNextRegister = Object.assign(new Error('incompatible'), { status: 409 });
    await expect(codec.encode(signed())).rejects.toBeInstanceOf(SchemaDriftError);
  });

  it('refuses to encode a malformed command', async () => {
    const { codec } = setup();
    await expect(codec.encode({ ...signed(), id: 'nope' })).rejects.toBeInstanceOf(InvalidCommandError);
  });

  it('decodes commands written with an older schema version (no args field yet)', async () => {
    const { registry, codec } = setup();
    const older = { ...CONTROL_COMMAND_SCHEMA, fields: CONTROL_COMMAND_SCHEMA.fields.filter((f) => f.name !== 'args') };
    const olderType = avsc.Type.forSchema(older as unknown as avsc.Schema);
    registry.schemas.set(7, olderType);
    const { args: _args, ...withoutArgs } = signed();
    const decoded = await codec.decode(framed(7, olderType.toBuffer(withoutArgs)));
    expect(decoded).toEqual({ ...withoutArgs, args: {} });
  });

  it('decodes commands from a newer schema version; a type this build does not know is refused, known ones pass', async () => {
    const { registry, codec } = setup();
    const newer = structuredClone(CONTROL_COMMAND_SCHEMA) as unknown as { fields: Array<{ name: string; type: unknown; default?: unknown }> };
    const typeField = newer.fields.find((f) => f.name === 'type') as { type: { symbols: string[] } };
    typeField.type.symbols.push('reindex');
    newer.fields.push({ name: 'priority', type: 'int', default: 0 });
    const newerType = avsc.Type.forSchema(newer as unknown as avsc.Schema);
    registry.schemas.set(9, newerType);

    const known = signed();
    expect(await codec.decode(framed(9, newerType.toBuffer({ ...known, priority: 3 })))).toEqual(known);
    const unknownType = framed(9, newerType.toBuffer({ ...known, type: 'reindex', priority: 3 }));
    await expect(codec.decode(unknownType)).rejects.toBeInstanceOf(InvalidCommandError);
    await expect(codec.decode(unknownType)).rejects.toThrow(/newer schema/);
  });

  it.each([
    ['empty bytes', Buffer.alloc(0)],
    ['JSON', Buffer.from('{"type":"drain"}')],
    ['a wrong magic byte', Buffer.from([1, 0, 0, 0, CONTROL_ID, 2, 3])],
  ])('rejects %s as INVALID_PAYLOAD', async (_what, bytes) => {
    const { codec } = setup();
    await expect(codec.decode(bytes)).rejects.toBeInstanceOf(InvalidPayloadError);
  });

  it('rejects an unknown schema id, an unrelated schema and a truncated body as INVALID_PAYLOAD', async () => {
    const { registry, codec } = setup();
    await expect(codec.decode(framed(999, Buffer.from([2, 4])))).rejects.toBeInstanceOf(InvalidPayloadError);

    registry.schemas.set(8, avsc.Type.forSchema({ type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] }));
    await expect(codec.decode(framed(8, Buffer.from([2])))).rejects.toThrow(/not a ControlCommand schema/);

    const full = await codec.encode(signed());
    await expect(codec.decode(full.subarray(0, full.length - 3))).rejects.toBeInstanceOf(InvalidPayloadError);
  });

  it('rejects a command that decodes but breaks the rules as VALIDATION_FAIL', async () => {
    const { registry, codec } = setup();
    await codec.schemaId();
    const type = registry.schemas.get(CONTROL_ID) as avsc.Type;
    const bad = { ...signed(), target: { app: null, tenant: null, reason: 'NOT_A_CODE' } };
    await expect(codec.decode(framed(CONTROL_ID, type.toBuffer(bad)))).rejects.toBeInstanceOf(InvalidCommandError);
  });

  it('reports an unreachable registry as CONNECTION_ERROR, not as a bad payload', async () => {
    const registry = { getSchema: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { status: 400 })) };
    const codec = new ControlCodec(registry as unknown as SchemaRegistry);
    await expect(codec.decode(framed(5, Buffer.from([0])))).rejects.toBeInstanceOf(ConnectionError);
  });
});
