// sink-search: sink.search → OpenSearch. Reads the environment, builds the SearchSink on the
// OpenSearch backend and runs it on the sink-kit runner until SIGTERM.
import { runSinkApp } from '@ingest-mesh/sink-kit';
import { APP, loadSinkSearchEnv } from './app-env.js';
import { openSearchBackendOptions, searchSinkOptions } from './config.js';
import { OpenSearchBackend } from './opensearch-backend.js';
import { SearchSink } from './search-sink.js';

const env = loadSinkSearchEnv();
const sink = new SearchSink({ ...searchSinkOptions(env), backend: new OpenSearchBackend(openSearchBackendOptions(env)) });
await runSinkApp({ app: APP, sink, env });
