// Registers schemas/entities/*.avsc (entity.<name>) and schemas/mesh/{SinkRecord,RawEnvelope}.avsc
// in the schema registry; idempotent. Prints `<subject> id=<id> version=<version>` per subject.
//   node --conditions=@ingest-mesh/source --import tsx tools/schemas/register.ts [--dir schemas] [--registry URL]
import { main } from './src/cli.js';

process.exitCode = await main(
  process.argv.slice(2),
  process.env,
  (line) => console.log(line),
  (line) => console.error(line),
);
