// Operator CLI: publish, remove or list route overrides on mesh.routes. Routers apply them live.
//   node --conditions=@ingest-mesh/source --import tsx apps/ingest-router/src/tools/set-route.ts \
//     --tenant acme --entity-type order --sinks postgres,search
import { createKafkaClient, type KafkaLogger } from '@ingest-mesh/kafka-client';
import { RouteOverridesListener, ensureRoutesTopic } from '../route-overrides.js';
import { RouteTable, encodeRouteOverride } from '../routes.js';
import { SET_ROUTE_USAGE, UsageError, parseSetRouteArgs, type SetRouteCommand } from './set-route-args.js';

const quiet: KafkaLogger = {
  debug: () => {},
  info: () => {},
  warn: (obj, msg) => console.error(`warning: ${msg}`, JSON.stringify(obj)),
  error: (obj, msg) => console.error(`error: ${msg}`, JSON.stringify(obj)),
};

async function run(cmd: Exclude<SetRouteCommand, { action: 'help' }>): Promise<void> {
  const kafka = createKafkaClient({ clientId: 'set-route', brokers: cmd.brokers, logger: quiet });
  if (cmd.action === 'list') {
    const table = new RouteTable({ entityTypes: {}, tenantOverrides: {} });
    const listener = new RouteOverridesListener({ kafka, table, logger: quiet, topic: cmd.topic, groupIdPrefix: 'set-route-list', idleCatchUpMs: 3000 });
    try {
      await listener.start();
    } finally {
      await listener.stop();
    }
    console.log(JSON.stringify(table.overrides(), null, 2));
    return;
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (await ensureRoutesTopic(admin, cmd.topic)) console.error(`created topic ${cmd.topic} (cleanup.policy=compact)`);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  try {
    const value = cmd.action === 'set' ? encodeRouteOverride(cmd.override) : null;
    const [meta] = await producer.send({ topic: cmd.topic, acks: -1, messages: [{ key: cmd.key, value }] });
    const what = cmd.action === 'set' ? `set ${cmd.key} → ${JSON.stringify(cmd.override)}` : `removed the override of ${cmd.key}`;
    console.log(`${what} (${cmd.topic} partition ${meta?.partition} offset ${meta?.baseOffset})`);
  } finally {
    await producer.disconnect();
  }
}

try {
  const cmd = parseSetRouteArgs(process.argv.slice(2));
  if (cmd.action === 'help') console.log(SET_ROUTE_USAGE);
  else await run(cmd);
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`set-route: ${err.message}\n${SET_ROUTE_USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`set-route: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
