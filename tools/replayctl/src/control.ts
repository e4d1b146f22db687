// Sends one signed replay command and waits for the coordinator's recorded outcome.
import { createSchemaRegistry } from '@ingest-mesh/avro';
import { ControlCodec, newCommand, publishCommand, signCommand, type ControlCommandType } from '@ingest-mesh/control';
import { createKafkaClient } from '@ingest-mesh/kafka-client';
import type { CliEnv } from './env.js';
import type { CommandView, ReplayReader } from './read.js';

export class UnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreachableError';
  }
}

export interface SendInput {
  type: ControlCommandType;
  tenant?: string | undefined;
  args: Record<string, string>;
  issuedBy: string;
}

export type Sender = (input: SendInput) => Promise<{ commandId: string; outcome: CommandView }>;

export function kafkaSender(env: CliEnv, reader: ReplayReader, secret: string): Sender {
  return async (input) => {
    const kafka = createKafkaClient({ clientId: 'replayctl', brokers: env.KAFKA_BROKERS, retries: 3 });
    const producer = kafka.producer();
    const cmd = signCommand(newCommand({ type: input.type, target: { tenant: input.tenant ?? null }, args: input.args, issuedBy: input.issuedBy }), secret);
    try {
      await producer.connect();
      await publishCommand(producer, new ControlCodec(createSchemaRegistry({ host: env.SCHEMA_REGISTRY_URL })), cmd, env.MESH_CONTROL_TOPIC);
    } catch (err) {
      throw new UnreachableError(`could not publish the command on ${env.MESH_CONTROL_TOPIC}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
    const deadline = Date.now() + env.REPLAYCTL_TIMEOUT_MS;
    for (;;) {
      const outcome = await reader.command(cmd.id);
      if (outcome) return { commandId: cmd.id, outcome };
      if (Date.now() > deadline) {
        throw new UnreachableError(
          `no replay-coordinator recorded command ${cmd.id} within ${env.REPLAYCTL_TIMEOUT_MS} ms: is one running on ${env.MESH_CONTROL_TOPIC} with the same secret and REPLAY_SCHEMA=${env.REPLAY_SCHEMA}?`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
}
