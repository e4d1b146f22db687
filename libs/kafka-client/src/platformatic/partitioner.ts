// The partition of a keyed record as Java's client and kafkajs' DefaultPartitioner pick it:
// toPositive(murmur2(key)) % partitions. The mesh's topics are written by both adapters (and by
// Java tools), so a key must land on the same partition whichever wrote it. @platformatic/kafka's
// own default takes `murmur2(key) >>> 0`, which differs for every key whose hash is negative
// (half of them); its compatibilityPartitioner sends every keyless record to partition 0.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2): a signed 32-bit hash. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const rest = length - whole;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** What the producer reduces modulo the partition count: the key's positive hash. */
export function keyHash(key: Uint8Array): number {
  return murmur2(key) & 0x7fffffff;
}

/**
 * A @platformatic/kafka partitioner (the producer takes its result modulo the partition count):
 * keyed records by keyHash, keyless ones round-robin per topic, as kafkajs spreads them.
 */
export function javaCompatiblePartitioner(): (message: { topic: string }, key: Buffer | undefined) => number {
  const next = new Map<string, number>();
  return (message, key) => {
    if (key !== undefined && key !== null) return keyHash(key);
    const counter = next.get(message.topic) ?? 0;
    next.set(message.topic, (counter + 1) & 0x7fffffff);
    return counter;
  };
}
