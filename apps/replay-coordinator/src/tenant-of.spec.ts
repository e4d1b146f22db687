import { describe, expect, it } from 'vitest';
import { avroLeadingString, TenantRecognizer, tenantFromKey } from './tenant-of.js';

/** A Confluent frame: magic 0, schema id, then an Avro string field. */
function framed(schemaId: number, first: string): Buffer {
  const bytes = Buffer.from(first, 'utf8');
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  const zigzag = bytes.length * 2;
  const varint = zigzag < 0x80 ? [zigzag] : [(zigzag & 0x7f) | 0x80, zigzag >> 7];
  return Buffer.concat([header, Buffer.from(varint), bytes, Buffer.from([0x02, 0x41])]);
}

describe('TenantRecognizer', () => {
  const lookups: number[] = [];
  const r = new TenantRecognizer(async (id) => {
    lookups.push(id);
    return id === 7;
  });

  it('prefers the x-mesh-tenant header', async () => {
    expect(await r.tenantOf({ key: Buffer.from('other:customer:1'), value: null, headers: { 'x-mesh-tenant': Buffer.from('acme') } })).toBe('acme');
  });

  it('reads the tenant from a tenant:entityType:id key', async () => {
    expect(await r.tenantOf({ key: Buffer.from('acme:order:o-1'), value: Buffer.from('{}'), headers: {} })).toBe('acme');
  });

  it('reads a raw JSON envelope when the key does not have the mesh shape', async () => {
    expect(await r.tenantOf({ key: Buffer.from('o-1'), value: Buffer.from(' {"tenant":"acme","id":"o-1"}'), headers: {} })).toBe('acme');
    expect(await r.tenantOf({ key: null, value: Buffer.from('[1,2]'), headers: {} })).toBeUndefined();
    expect(await r.tenantOf({ key: null, value: Buffer.from('{"tenant": 3}'), headers: {} })).toBeUndefined();
    expect(await r.tenantOf({ key: null, value: Buffer.from('{not json'), headers: {} })).toBeUndefined();
  });

  it('reads the first field of framed Avro whose schema starts with tenant, asking the registry once per id', async () => {
    const long = 'a'.repeat(100);
    expect(await r.tenantOf({ key: null, value: framed(7, 'acme'), headers: {} })).toBe('acme');
    expect(await r.tenantOf({ key: null, value: framed(7, long), headers: {} })).toBe(long);
    expect(await r.tenantOf({ key: null, value: framed(8, 'acme'), headers: {} })).toBeUndefined();
    expect(lookups).toEqual([7, 8]);
  });

  it('reads the schema id unsigned, as the Confluent frame defines it', async () => {
    const ids: number[] = [];
    const big = new TenantRecognizer(async (id) => (ids.push(id), true));
    expect(await big.tenantOf({ key: null, value: framed(0x8000_0001, 'acme'), headers: {} })).toBe('acme');
    expect(ids).toEqual([0x8000_0001]);
  });

  it('asks the registry again after a failed lookup', async () => {
    let calls = 0;
    const flaky = new TenantRecognizer(async () => {
      calls += 1;
      if (calls === 1) throw new Error('registry down');
      return true;
    });
    await expect(flaky.tenantOf({ key: null, value: framed(1, 'acme'), headers: {} })).rejects.toThrow('registry down');
    expect(await flaky.tenantOf({ key: null, value: framed(1, 'acme'), headers: {} })).toBe('acme');
  });
});

describe('tenantFromKey / avroLeadingString', () => {
  it('needs three parts and a non-empty tenant', () => {
    expect(tenantFromKey(Buffer.from('acme:customer'))).toBeUndefined();
    expect(tenantFromKey(Buffer.from(':customer:1'))).toBeUndefined();
    expect(tenantFromKey(Buffer.from('acme:customer:a:b'))).toBe('acme');
  });

  it('refuses truncated or negative lengths', () => {
    expect(avroLeadingString(Buffer.from([0x0a, 0x61]), 0)).toBeUndefined();
    expect(avroLeadingString(Buffer.from([0x01, 0x61]), 0)).toBeUndefined();
    expect(avroLeadingString(Buffer.from([0x80]), 0)).toBeUndefined();
  });
});
