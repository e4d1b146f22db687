// MESH_STACK=testcontainers: the same five components as tools/stack, in Docker, for laptops
// with a Docker engine. CI machines have none, so CI exercises the local path instead.
import { freePort } from './net.js';
import { requireVersion, stackVersions } from './versions.js';
import type { StackEndpoints } from './stack-env.js';

export interface ContainerStack {
  endpoints: StackEndpoints;
  stop(): Promise<void>;
}

export async function startContainerStack(): Promise<ContainerStack> {
  let tc: typeof import('testcontainers');
  try {
    tc = await import('testcontainers');
  } catch {
    throw new Error('MESH_STACK=testcontainers needs the "testcontainers" package (npm install) and a Docker engine');
  }
  const { GenericContainer, Network, Wait } = tc;
  const v = stackVersions();
  const network = await new Network().start();
  const started: { stop(): Promise<unknown> }[] = [];
  const stop = async () => {
    for (const c of started.reverse()) await c.stop().catch(() => undefined);
    await network.stop().catch(() => undefined);
  };
  try {
    const postgres = await new GenericContainer(`postgres:${requireVersion(v, 'POSTGRES_MAJOR')}`)
      .withNetwork(network)
      .withNetworkAliases('postgres')
      .withEnvironment({ POSTGRES_USER: 'mesh', POSTGRES_DB: 'mesh', POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withCopyContentToContainer([{ content: 'CREATE DATABASE registry OWNER mesh;\n', target: '/docker-entrypoint-initdb.d/10-registry.sql' }])
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    started.push(postgres);

    const redis = await new GenericContainer(`redis:${requireVersion(v, 'REDIS_MAJOR')}`)
      .withCommand(['redis-server', '--appendonly', 'yes'])
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start();
    started.push(redis);

    // Kafka advertises the address clients use, so the host port is chosen before start.
    const kafkaPort = await freePort();
    const kafka = await new GenericContainer(`apache/kafka:${requireVersion(v, 'KAFKA_VERSION')}`)
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .withExposedPorts({ container: kafkaPort, host: kafkaPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://:${kafkaPort},CONTROLLER://:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_NUM_PARTITIONS: '3',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start();
    started.push(kafka);

    const registry = await new GenericContainer(`apicurio/apicurio-registry:${requireVersion(v, 'APICURIO_VERSION')}`)
      .withNetwork(network)
      .withEnvironment({
        APICURIO_STORAGE_KIND: 'sql',
        APICURIO_STORAGE_SQL_KIND: 'postgresql',
        APICURIO_DATASOURCE_URL: 'jdbc:postgresql://postgres:5432/registry',
        APICURIO_DATASOURCE_USERNAME: 'mesh',
        APICURIO_DATASOURCE_PASSWORD: 'unused-trust-auth',
        APICURIO_RULES_GLOBAL_COMPATIBILITY: 'BACKWARD',
      })
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080).forStatusCode(200))
      .start();
    started.push(registry);

    const search = await new GenericContainer(`opensearchproject/opensearch:${requireVersion(v, 'OPENSEARCH_VERSION')}`)
      .withEnvironment({
        'discovery.type': 'single-node',
        DISABLE_SECURITY_PLUGIN: 'true',
        DISABLE_INSTALL_DEMO_CONFIG: 'true',
        OPENSEARCH_JAVA_OPTS: '-Xms768m -Xmx768m',
        'cluster.routing.allocation.disk.threshold_enabled': 'false',
      })
      .withExposedPorts(9200)
      .withWaitStrategy(Wait.forHttp('/_cluster/health', 9200).forStatusCode(200))
      .start();
    started.push(search);

    return {
      endpoints: {
        DATABASE_URL: `postgres://mesh@${postgres.getHost()}:${postgres.getMappedPort(5432)}/mesh`,
        REDIS_URL: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
        KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
        SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
        SEARCH_URL: `http://${search.getHost()}:${search.getMappedPort(9200)}`,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
