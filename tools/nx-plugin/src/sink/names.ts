// The names a sink called <name> goes by: app sink-<name>, class <Name>Sink, variables
// SINK_<NAME>_*, topic sink.<name>. Validated here too, because the generator can be called
// programmatically (tests, other generators) without the schema's pattern.
export interface SinkNames {
  /** As given: `ledger-archive`. */
  name: string;
  /** `sink-ledger-archive`: the app, its directory and its Nx project. */
  app: string;
  /** `LedgerArchive`: the adapter class is `LedgerArchiveSink`. */
  className: string;
  /** `ledgerArchive`: functions, e.g. `ledgerArchiveSinkOptions`. */
  propertyName: string;
  /** `LEDGER_ARCHIVE`: the adapter's variables are `SINK_LEDGER_ARCHIVE_*`. */
  constantName: string;
  /** `sink.ledger-archive`: the topic ingest-router writes for routes to this sink. */
  topic: string;
}

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
/** Names that would collide with what the mesh already has. */
const TAKEN = new Set(['postgres', 'search', 'kit']);

export class SinkNameError extends Error {}

export function sinkNames(raw: string): SinkNames {
  const name = String(raw ?? '').trim();
  if (!NAME.test(name) || name.endsWith('-') || name.includes('--')) {
    throw new SinkNameError(
      `sink name "${name}" is not valid: use lower-case letters, digits and single dashes, starting with a letter (e.g. "ledger" or "ledger-archive")`,
    );
  }
  if (name.startsWith('sink-')) throw new SinkNameError(`give the name without the "sink-" prefix: "${name.slice(5)}" makes the app ${name}`);
  if (TAKEN.has(name)) throw new SinkNameError(`"${name}" is taken by the mesh (sink-${name} exists or is reserved); choose another name`);
  const words = name.split('-');
  const className = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return {
    name,
    app: `sink-${name}`,
    className,
    propertyName: className[0]!.toLowerCase() + className.slice(1),
    constantName: words.join('_').toUpperCase(),
    topic: `sink.${name}`,
  };
}
