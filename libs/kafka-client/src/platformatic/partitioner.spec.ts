// The partitioner must put a key where kafkajs' DefaultPartitioner (Java's murmur2) puts it: the
// mesh's topics are written through both adapters.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { javaCompatiblePartitioner, keyHash, murmur2 } from './partitioner.js';

const require = createRequire(import.meta.url);
// kafkajs' own port of Java's Utils.murmur2, the reference for ours.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

describe('murmur2', () => {
  it('equals kafkajs (Java) for keys of every length mod 4, and random bytes', () => {
    for (let length = 0; length <= 67; length++) {
      for (let i = 0; i < 20; i++) {
        const key = randomBytes(length);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }
    }
  });

  it('equals kafkajs for text keys as the mesh writes them (UTF-8)', () => {
    for (const key of ['', '0', 'a', 'customer-42', 'tenant:ö/ß/東京', '100:48069']) expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(key));
  });
});

describe('javaCompatiblePartitioner', () => {
  const kafkajsPick = Partitioners.DefaultPartitioner();
  const metadata = (n: number) => Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));

  it('puts a key on the partition kafkajs puts it on, for any partition count', () => {
    const pick = javaCompatiblePartitioner();
    for (const partitions of [1, 2, 3, 6, 12, 50, 128]) {
      for (let i = 0; i < 200; i++) {
        const key = randomBytes(1 + (i % 40));
        // The producer reduces the partitioner's answer modulo the partition count.
        const ours = pick({ topic: 't' }, key) % partitions;
        expect(ours).toBe(kafkajsPick({ topic: 't', partitionMetadata: metadata(partitions), message: { key, value: null } }));
      }
    }
  });

  it('hashes to a non-negative number', () => {
    for (let i = 0; i < 1000; i++) expect(keyHash(randomBytes(8))).toBeGreaterThanOrEqual(0);
  });

  it('spreads keyless records round-robin, per topic', () => {
    const pick = javaCompatiblePartitioner();
    expect([0, 1, 2, 3].map(() => pick({ topic: 'a' }, undefined) % 3)).toEqual([0, 1, 2, 0]);
    expect(pick({ topic: 'b' }, undefined)).toBe(0);
  });
});
