import { describe, expect, it } from 'vitest';
import { DEFAULT_KAFKA_CLIENT, kafkaClientKind } from './create.js';

describe('kafkaClientKind', () => {
  it('is platformatic when MESH_KAFKA_CLIENT is unset or empty, and what it names otherwise', () => {
    expect(DEFAULT_KAFKA_CLIENT).toBe('platformatic');
    expect(kafkaClientKind({})).toBe('platformatic');
    expect(kafkaClientKind({ MESH_KAFKA_CLIENT: '' })).toBe('platformatic');
    expect(kafkaClientKind({ MESH_KAFKA_CLIENT: 'kafkajs' })).toBe('kafkajs');
  });

  it('names the choices for a wrong value', () => {
    expect(() => kafkaClientKind({ MESH_KAFKA_CLIENT: 'librdkafka' })).toThrow('MESH_KAFKA_CLIENT: expected one of kafkajs, platformatic, got "librdkafka"');
  });
});
