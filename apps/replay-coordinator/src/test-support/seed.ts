// Writes N JSON envelopes to a topic (created with 3 partitions if missing), two thirds of them
// tenant A's, for trying replayctl by hand and for the throughput figures in the README:
//   node --conditions=@ingest-mesh/source --import tsx apps/replay-coordinator/src/test-support/seed.ts <topic> <N> <tenantA> <tenantB>
import { brokerList, endpointsFromEnv } from '@ingest-mesh/env-config';
import { createKafkaClient } from '@ingest-mesh/kafka-client';

const [topic, count = '1000', a = 'acme', b = 'globex'] = process.argv.slice(2);
if (!topic) throw new Error('usage: seed.ts <topic> <N> <tenantA> <tenantB>');
const kafka = createKafkaClient({ clientId: 'replay-seed', brokers: brokerList(endpointsFromEnv().KAFKA_BROKERS) });
const admin = kafka.admin();
await admin.connect();
if (!(await admin.listTopics()).includes(topic))
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: -1 }], waitForLeaders: true });
await admin.disconnect();
const producer = kafka.producer();
await producer.connect();
const n = Number(count);
for (let i = 0; i < n; i += 1000) {
  const messages = Array.from({ length: Math.min(1000, n - i) }, (_, j) => {
    const k = i + j;
    const tenant = k % 3 === 0 ? b : a;
    const value = {
      tenant,
      source: 'seed',
      entityType: 'customer',
      id: `c${k}`,
      revision: 1,
      occurredAt: new Date().toISOString(),
      payload: { id: `c${k}`, name: `Customer ${k}`, email: `c${k}@example.com`, createdAt: new Date().toISOString() },
    };
    return { key: `${tenant}:customer:c${k}`, value: JSON.stringify(value) };
  });
  await producer.send({ topic, acks: -1, messages });
}
await producer.disconnect();
console.log(`${n} records on ${topic}`);
