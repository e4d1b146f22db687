// Writer→reader resolvers, built once per (writer schema id, reader Type) pair. The reader is
// keyed by identity, so a reader Type that is dropped takes its resolvers with it.
import { SchemaDriftError } from '@ingest-mesh/reason-codes';
import type avsc from 'avsc';

type AvroType = avsc.Type;
export type Resolver = ReturnType<AvroType['createResolver']>;

export class ResolverCache {
  private readonly byReader = new WeakMap<AvroType, Map<number, Resolver>>();

  /** SchemaDriftError when data written with `writer` cannot be read as `reader`. */
  resolver(writerId: number, writer: AvroType, reader: AvroType, readerLabel = readerName(reader)): Resolver {
    let perWriter = this.byReader.get(reader);
    if (perWriter === undefined) {
      perWriter = new Map();
      this.byReader.set(reader, perWriter);
    }
    const cached = perWriter.get(writerId);
    if (cached !== undefined) return cached;
    let resolver: Resolver;
    try {
      resolver = reader.createResolver(writer);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new SchemaDriftError(`data written with schema id ${writerId} cannot be read as ${readerLabel}: ${reason}`, { cause: err });
    }
    perWriter.set(writerId, resolver);
    return resolver;
  }
}

function readerName(reader: AvroType): string {
  return reader.name ?? reader.typeName;
}
