// The recovering producer's logic, with stand-ins for kafkajs producers (the broker-side state
// loss itself is exercised by the chaos run, which stops Kafka under load).
import type { Producer as KjsProducer } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { MAX_REPLACEMENTS_PER_SEND, producerStateLost, recoveringProducer } from './kafkajs-producer.js';

/** kafkajs' KafkaJSProtocolError for a broker error type, as the producer rejects with it. */
const protocolError = (type: string) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable: false });

interface Stand {
  producer: KjsProducer;
  sends: number;
  connected: boolean;
  disconnected: boolean;
}

/** Producers made in order; each fails its sends with the errors `failures` gives it (by its number). */
function factory(failures: (n: number, send: number) => Error | undefined) {
  const made: Stand[] = [];
  const create = () => {
    const n = made.length;
    const stand: Stand = { sends: 0, connected: false, disconnected: false } as Stand;
    const send = async () => {
      stand.sends += 1;
      const error = failures(n, stand.sends);
      if (error) throw error;
      return [{ topicName: 't', partition: 0, errorCode: 0, baseOffset: String(n) }];
    };
    stand.producer = {
      connect: async () => void (stand.connected = true),
      disconnect: async () => void (stand.disconnected = true),
      send,
      sendBatch: send,
    } as unknown as KjsProducer;
    made.push(stand);
    return stand.producer;
  };
  return { create, made };
}

const record = { topic: 't', messages: [{ key: 'k', value: 'v' }] };

describe('producerStateLost', () => {
  it('recognises the broker errors that mean a lost producer state, also wrapped', () => {
    expect(producerStateLost(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe(true);
    expect(producerStateLost(protocolError('UNKNOWN_PRODUCER_ID'))).toBe(true);
    expect(producerStateLost(Object.assign(new Error('gave up'), { name: 'KafkaJSNonRetriableError', cause: protocolError('INVALID_PRODUCER_EPOCH') }))).toBe(
      true,
    );
    expect(producerStateLost(Object.assign(new Error('gave up'), { originalError: protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER') }))).toBe(true);
  });
  it('does not take other failures for it', () => {
    expect(producerStateLost(protocolError('MESSAGE_TOO_LARGE'))).toBe(false);
    expect(producerStateLost(new Error('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe(false);
    expect(producerStateLost(undefined)).toBe(false);
  });
});

describe('recoveringProducer', () => {
  it('replaces the producer (new id) and sends again when the broker lost its state', async () => {
    const { create, made } = factory((n) => (n === 0 ? protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER') : undefined));
    const replaced = vi.fn();
    const producer = recoveringProducer(create, replaced);
    await producer.connect();
    expect(await producer.send(record)).toEqual([{ topicName: 't', partition: 0, errorCode: 0, baseOffset: '1' }]);
    expect(made).toHaveLength(2);
    expect(made[0]).toMatchObject({ sends: 1, disconnected: true });
    expect(made[1]).toMatchObject({ sends: 1, connected: true });
    expect(replaced).toHaveBeenCalledWith(expect.objectContaining({ replacements: 1 }));
  });

  it('replaces it once for sends that failed together, and each of them is sent again', async () => {
    const { create, made } = factory((n) => (n === 0 ? protocolError('UNKNOWN_PRODUCER_ID') : undefined));
    const producer = recoveringProducer(create);
    await producer.connect();
    const results = await Promise.all([producer.send(record), producer.sendBatch({ topicMessages: [record] }), producer.send(record)]);
    expect(results.map((r) => r[0]!.baseOffset)).toEqual(['1', '1', '1']);
    expect(made).toHaveLength(2);
    expect(made[1]!.sends).toBe(3);
  });

  it('leaves every other error to the caller, with the producer as it was', async () => {
    const tooLarge = protocolError('MESSAGE_TOO_LARGE');
    const { create, made } = factory(() => tooLarge);
    const producer = recoveringProducer(create);
    await producer.connect();
    await expect(producer.send(record)).rejects.toBe(tooLarge);
    expect(made).toHaveLength(1);
  });

  it('gives up after a bounded number of replacements in one send', async () => {
    const lost = protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER');
    const { create, made } = factory(() => lost);
    const producer = recoveringProducer(create);
    await producer.connect();
    await expect(producer.send(record)).rejects.toBe(lost);
    expect(made).toHaveLength(1 + MAX_REPLACEMENTS_PER_SEND);
  });

  it('does not connect a replacement of a producer that was never connected, and disconnects the current one', async () => {
    const { create, made } = factory((n) => (n === 0 ? protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER') : undefined));
    const producer = recoveringProducer(create);
    await producer.send(record);
    expect(made[1]!.connected).toBe(false);
    await producer.disconnect();
    expect(made[1]!.disconnected).toBe(true);
  });
});
