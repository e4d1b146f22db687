// Cutting what one writeBatch sends into requests the store accepts: at most maxCount items and
// maxBytes bytes each (a bulk request, a script call, a multi-row statement). The rule is the
// runtime's own (how it cuts rounds), so it exists once.
export { chunkBy, type ChunkLimits } from '@ingest-mesh/kafka-runtime';
