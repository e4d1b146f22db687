import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATE_FORMAT, avroProperties, documentProperties, MESH_PROPERTIES } from './avro-mapping.js';

const entitySchema = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../schemas/entities/${name}.avsc`, import.meta.url), 'utf8'));

const TEXT = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
const KEYWORD = { type: 'keyword' };
const DATE = { type: 'date', format: DATE_FORMAT };

const record = (...fields: { name: string; type: unknown }[]) => ({ type: 'record', name: 'R', namespace: 'test', fields });

describe('avroProperties with the repository schemas', () => {
  it('customer: id keyword, strings text + keyword, enum keyword, [null, string] its string, createdAt date', () => {
    expect(avroProperties(entitySchema('customer'))).toEqual({
      id: KEYWORD,
      name: TEXT,
      email: TEXT,
      tier: KEYWORD,
      country: TEXT,
      createdAt: DATE,
    });
  });

  it('order: *Id keyword, long, an array of records as an object of its fields', () => {
    expect(avroProperties(entitySchema('order'))).toEqual({
      id: KEYWORD,
      customerId: KEYWORD,
      status: KEYWORD,
      amountCents: { type: 'long' },
      currency: TEXT,
      items: { properties: { sku: TEXT, qty: { type: 'long' } } },
    });
  });

  it('documentProperties adds @mesh', () => {
    const properties = documentProperties(entitySchema('customer'));
    expect(properties['@mesh']).toEqual({
      properties: { tenant: KEYWORD, source: KEYWORD, entityType: KEYWORD, id: KEYWORD, revision: { type: 'long' }, occurredAt: DATE },
    });
    expect(properties.createdAt).toEqual(DATE);
  });
});

describe('avroProperties rules', () => {
  it('primitives', () => {
    expect(
      avroProperties(
        record(
          { name: 'flag', type: 'boolean' },
          { name: 'count', type: 'int' },
          { name: 'ratio', type: 'float' },
          { name: 'score', type: { type: 'double' } },
          { name: 'blob', type: 'bytes' },
          { name: 'nothing', type: 'null' },
        ),
      ),
    ).toEqual({ flag: { type: 'boolean' }, count: { type: 'long' }, ratio: { type: 'double' }, score: { type: 'double' }, blob: { type: 'binary' } });
  });

  it('identifier names and uuid are keyword only', () => {
    expect(
      avroProperties(
        record(
          { name: 'order_id', type: 'string' },
          { name: 'tagIds', type: { type: 'array', items: 'string' } },
          { name: 'ref', type: { type: 'string', logicalType: 'uuid' } },
          { name: 'paid', type: 'string' },
        ),
      ),
    ).toEqual({ order_id: KEYWORD, tagIds: KEYWORD, ref: KEYWORD, paid: TEXT });
  });

  it('logical types: millis → date; micros, date, time → their number; decimal → keyword', () => {
    expect(
      avroProperties(
        record(
          { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
          { name: 'localAt', type: { type: 'long', logicalType: 'local-timestamp-millis' } },
          { name: 'atMicros', type: { type: 'long', logicalType: 'timestamp-micros' } },
          { name: 'day', type: { type: 'int', logicalType: 'date' } },
          { name: 'time', type: { type: 'int', logicalType: 'time-millis' } },
          { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
          { name: 'fixedPrice', type: { type: 'fixed', name: 'Money', size: 8, logicalType: 'decimal', precision: 18, scale: 2 } },
          { name: 'maybeAt', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }] },
        ),
      ),
    ).toEqual({
      at: DATE,
      localAt: DATE,
      atMicros: { type: 'long' },
      day: { type: 'long' },
      time: { type: 'long' },
      price: KEYWORD,
      fixedPrice: KEYWORD,
      maybeAt: DATE,
    });
  });

  it('unions: [null, X] → X (either order); several non-null branches → left to dynamic mapping', () => {
    expect(
      avroProperties(
        record(
          { name: 'a', type: ['null', 'long'] },
          { name: 'b', type: ['string', 'null'] },
          { name: 'c', type: ['null', 'long', 'string'] },
          { name: 'd', type: ['int', 'long'] },
          { name: 'e', type: ['null'] },
        ),
      ),
    ).toEqual({ a: { type: 'long' }, b: TEXT });
  });

  it('nested records, maps, fixed, arrays of arrays', () => {
    expect(
      avroProperties(
        record(
          {
            name: 'address',
            type: {
              type: 'record',
              name: 'Address',
              fields: [
                { name: 'zip', type: 'string' },
                { name: 'geo', type: { type: 'record', name: 'Geo', fields: [{ name: 'lat', type: 'double' }] } },
              ],
            },
          },
          { name: 'attrs', type: { type: 'map', values: 'long' } },
          { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 16 } },
          { name: 'matrix', type: { type: 'array', items: { type: 'array', items: 'int' } } },
        ),
      ),
    ).toEqual({
      address: { properties: { zip: TEXT, geo: { properties: { lat: { type: 'double' } } } } },
      attrs: { type: 'flat_object' },
      hash: { type: 'binary' },
      matrix: { type: 'long' },
    });
  });

  it('named types referenced later, by short or full name, across namespaces and through unions', () => {
    const schema = {
      type: 'record',
      name: 'Shipment',
      namespace: 'ship',
      fields: [
        { name: 'from', type: { type: 'record', name: 'Place', fields: [{ name: 'city', type: 'string' }] } },
        { name: 'to', type: 'Place' },
        { name: 'via', type: ['null', 'ship.Place'] },
        { name: 'kind', type: ['null', { type: 'enum', name: 'Kind', namespace: 'other', symbols: ['a', 'b'] }] },
        { name: 'kind2', type: 'other.Kind' },
        { name: 'either', type: ['null', { type: 'fixed', name: 'Tag', size: 2 }, 'string'] },
        { name: 'tag', type: 'Tag' },
        { name: 'unknown', type: 'nowhere.Missing' },
      ],
    };
    const place = { properties: { city: TEXT } };
    expect(avroProperties(schema)).toEqual({ from: place, to: place, via: place, kind: KEYWORD, kind2: KEYWORD, tag: { type: 'binary' } });
  });

  it('a recursive record maps what it can and leaves the recursion to dynamic mapping', () => {
    const schema = {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'label', type: 'string' },
        { name: 'children', type: { type: 'array', items: 'Node' } },
        { name: 'parent', type: ['null', 'Node'] },
      ],
    };
    expect(avroProperties(schema)).toEqual({ label: TEXT });
  });

  it('anything but a record maps no fields; malformed parts are skipped', () => {
    expect(avroProperties('string')).toEqual({});
    expect(avroProperties(null)).toEqual({});
    expect(avroProperties({ type: 'enum', name: 'E', symbols: ['x'] })).toEqual({});
    expect(avroProperties({ type: 'record', name: 'R', fields: [{ type: 'string' }, 'junk', { name: 'ok', type: 'boolean' }] })).toEqual({
      ok: { type: 'boolean' },
    });
  });

  it('returns fresh objects: mutating a result does not change the next one', () => {
    const first = documentProperties(entitySchema('customer'));
    (first.id as { type: string }).type = 'text';
    (first['@mesh']!.properties!.revision as { type: string }).type = 'text';
    const second = documentProperties(entitySchema('customer'));
    expect(second.id).toEqual(KEYWORD);
    expect(MESH_PROPERTIES.revision).toEqual({ type: 'long' });
  });
});
