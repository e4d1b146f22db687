// sink-search: sink.search → OpenSearch. Reads the environment, builds the SearchSink on the
// OpenSearch backend — with a schema catalog on the registry, from which each entity type's
// mappings are derived — and runs it on the sink-kit runner until SIGTERM.
import { SchemaCatalog, createSchemaRegistry } from '@ingest-mesh/avro';
import { runSinkApp } from '@ingest-mesh/sink-kit';
import { createLogger } from '@ingest-mesh/telemetry';
import { APP, loadSinkSearchEnv } from './app-env.js';
import { openSearchBackendOptions, searchSinkOptions } from './config.js';
import { OpenSearchBackend } from './opensearch-backend.js';
import { SearchSink } from './search-sink.js';

const env = loadSinkSearchEnv();
const logger = createLogger({ app: APP, level: env.LOG_LEVEL });
const schemas = new SchemaCatalog({ registry: createSchemaRegistry({ host: env.SCHEMA_REGISTRY_URL }) });
const sink = new SearchSink({
  ...searchSinkOptions(env),
  backend: new OpenSearchBackend(openSearchBackendOptions(env)),
  schemas,
  onMappingIssue: (issue) => logger.warn({ mapping: issue }, 'a search mapping could not be applied; the writes go on (see /health/detailed)'),
});
await runSinkApp({ app: APP, sink, env });
