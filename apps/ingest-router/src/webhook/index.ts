export { bearerToken, tokenDigest, tokenMatches } from './auth.js';
export { ACCEPTED_CONTENT_TYPES, recordFormat, type RecordFormat } from './content-type.js';
export { INGEST_SOURCE_HEADER, RECEIVED_AT_HEADER, recordKey, toMessages, type WebhookMessage } from './messages.js';
export { kafkaProduce } from './kafka-produce.js';
export { webhookOpenApi } from './openapi.js';
export { MAX_REPORTED_ERRORS, parseRecords, WEBHOOK_SOURCE, type RecordProblem } from './records.js';
export { createWebhook, DEFAULT_MAX_BODY_BYTES, DEFAULT_RETRY_HINT_SECONDS, type Webhook, type WebhookOptions, type WebhookTenant } from './webhook.js';
