// The Sink contract this app implements, from libs/sink-kit (one definition for every sink).
export type { Sink, SinkHealth, SinkOutcome, SinkRecordIn } from '@ingest-mesh/sink-kit';
