// The schema registry client of every app, CLI, tool and test harness: the library's client with
// a bound on every request. The library sets none: a registry that accepts a request and never
// answers it (Apicurio did so, one of four concurrent registrations, in the replay suite) kept its
// caller waiting forever. A request that times out is retried (registering the same schema again
// is idempotent: the registry answers the id it already has), and one that still fails is the
// caller's to classify: reason-codes reads the client's "Timeout (N ms)" as SINK_TIMEOUT, retryable.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

type ClientArgs = ConstructorParameters<typeof SchemaRegistry>[0];
type Middleware = NonNullable<ClientArgs['middlewares']>[number];
type RetryOptions = NonNullable<ClientArgs['retry']>;

/** Time without a byte of an answer after which a registry request is abandoned. */
export const REGISTRY_REQUEST_TIMEOUT_MS = 10_000;
/** Attempts after the first, for a timeout, a 5xx or a refused connection. */
export const REGISTRY_RETRIES = 3;

export interface SchemaRegistryOptions {
  host: string;
  requestTimeoutMs?: number;
  retries?: number;
}

export function createSchemaRegistry(opts: SchemaRegistryOptions): SchemaRegistry {
  const timeout = opts.requestTimeoutMs ?? REGISTRY_REQUEST_TIMEOUT_MS;
  const bounded: Middleware = () => ({ prepareRequest: (next) => next().then((request) => request.enhance({ timeout })) });
  const retry: RetryOptions = {
    retries: opts.retries ?? REGISTRY_RETRIES,
    // Every call the mesh makes is safe to repeat: reads, and registrations of a schema it has.
    enableRetry: () => true,
    validateRetry: (response) => response.status() >= 500 || timedOut(response.error()),
  };
  return new SchemaRegistry({ host: opts.host, middlewares: [bounded], retry });
}

/** mappersmith's own timeout (its TimeoutError, by name: the class is not exported). */
function timedOut(error: Error | null | undefined): boolean {
  return error?.name === 'TimeoutError';
}
