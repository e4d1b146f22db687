// Publishes a signed command on the control topic. Keyed by the target app ('*' for all), so
// the commands for one app keep their order.
import type { Producer } from '@ingest-mesh/kafka-client';
import type { ControlCodec } from './codec.js';
import type { ControlCommand } from './command.js';
import { CONTROL_TOPIC } from './schema.js';
import { InvalidCommandError } from './shape.js';

export const ALL_APPS_KEY = '*';

/** Refuses unsigned commands: nothing unsigned ever reaches the topic. */
export async function publishCommand(producer: Producer, codec: ControlCodec, cmd: ControlCommand, topic: string = CONTROL_TOPIC): Promise<void> {
  if (typeof cmd.signature !== 'string' || cmd.signature === '') {
    throw new InvalidCommandError('refusing to publish an unsigned command; sign it with signCommand first', { field: 'signature' });
  }
  const value = await codec.encode(cmd);
  await producer.send({
    topic,
    acks: -1,
    messages: [{ key: cmd.target.app ?? ALL_APPS_KEY, value }],
  });
}
