// Avro encoding of control commands through the schema registry, with Confluent framing
// (magic byte 0, 4-byte schema id, Avro body). Decoding resolves whatever version wrote the
// command into this build's schema, so old and new issuers can coexist.
import { frame, unframe } from '@ingest-mesh/avro';
import { COMPATIBILITY, SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ConnectionError, InvalidPayloadError, SchemaDriftError } from '@ingest-mesh/reason-codes';
import avsc, { type Schema as AvroSchema, type Type as AvroType } from 'avsc';
import type { ControlCommand } from './command.js';
import { CONTROL_COMMAND_SCHEMA, CONTROL_SUBJECT } from './schema.js';
import { assertControlCommand } from './shape.js';

type Resolver = ReturnType<AvroType['createResolver']>;

export interface ControlCodecOptions {
  /** Registry subject of the schema; default 'mesh.control-value'. */
  subject?: string;
}

export class ControlCodec {
  readonly subject: string;
  private readonly registry: SchemaRegistry;
  private readonly readerType = avsc.Type.forSchema(CONTROL_COMMAND_SCHEMA as unknown as AvroSchema);
  private readonly resolvers = new Map<number, Resolver>();
  private registered: Promise<number> | undefined;

  constructor(registry: SchemaRegistry, opts: ControlCodecOptions = {}) {
    this.registry = registry;
    this.subject = opts.subject ?? CONTROL_SUBJECT;
  }

  /** Registers the schema under the subject once per codec (a failed attempt is retried next call). */
  schemaId(): Promise<number> {
    this.registered ??= this.register().catch((err: unknown) => {
      this.registered = undefined;
      throw err;
    });
    return this.registered;
  }

  /** Validates the command (InvalidCommandError when it breaks the schema) and frames it. */
  async encode(cmd: ControlCommand): Promise<Buffer> {
    const command = assertControlCommand(cmd);
    return frame(await this.schemaId(), this.readerType.toBuffer(command));
  }

  /**
   * InvalidPayloadError for bytes that are not a framed ControlCommand (unknown schema id,
   * a schema that does not resolve to ControlCommand, truncated body), InvalidCommandError for
   * a command that decodes but breaks the rules, ConnectionError when the registry is unreachable.
   */
  async decode(buf: Buffer): Promise<ControlCommand> {
    const framed = unframe(buf);
    if (!framed || framed.body.length === 0) throw new InvalidPayloadError('control message is not Confluent-framed Avro');
    const writerId = framed.schemaId;
    const resolver = await this.resolverFor(writerId);
    let value: unknown;
    try {
      value = this.readerType.fromBuffer(framed.body, resolver);
    } catch (err) {
      throw new InvalidPayloadError(`control message does not decode with schema id ${writerId}`, { cause: err });
    }
    return assertControlCommand(value);
  }

  private async resolverFor(writerId: number): Promise<Resolver> {
    const cached = this.resolvers.get(writerId);
    if (cached) return cached;
    let writer: unknown;
    try {
      writer = await this.registry.getSchema(writerId);
    } catch (err) {
      if (statusOf(err) === 404) throw new InvalidPayloadError(`schema id ${writerId} is unknown to the registry`, { cause: err });
      throw new ConnectionError(`schema registry lookup of id ${writerId} failed`, { cause: err });
    }
    if (!isAvroType(writer)) throw new InvalidPayloadError(`schema id ${writerId} is not an Avro schema`);
    let resolver: Resolver;
    try {
      resolver = this.readerType.createResolver(writer);
    } catch (err) {
      throw new InvalidPayloadError(`schema id ${writerId} is not a ControlCommand schema`, { cause: err });
    }
    this.resolvers.set(writerId, resolver);
    return resolver;
  }

  private async register(): Promise<number> {
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(CONTROL_COMMAND_SCHEMA) },
        // BACKWARD is the registry's global default too; the client checks the subject's level against it.
        { subject: this.subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      return id;
    } catch (err) {
      const status = statusOf(err);
      // 409/422: the registry refuses the schema; a client-side registry error: config mismatch.
      if (status === 409 || status === 422 || isRegistryClientError(err)) {
        throw new SchemaDriftError(`the registry refuses ControlCommand under ${this.subject}: ${messageOf(err)}`, { cause: err });
      }
      throw new ConnectionError(`registering ControlCommand under ${this.subject} failed`, { cause: err });
    }
  }
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function isRegistryClientError(err: unknown): boolean {
  return err instanceof Error && err.name.startsWith('ConfluentSchemaRegistry');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Duck-typed: the registry client may carry its own copy of avsc.
function isAvroType(value: unknown): value is AvroType {
  return avsc.Type.isType(value);
}
