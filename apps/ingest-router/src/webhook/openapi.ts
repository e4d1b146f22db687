// The OpenAPI 3.1 description of the webhook, served at GET /openapi.json.
const retryAfter = {
  description: 'Seconds to wait before retrying.',
  schema: { type: 'integer', minimum: 1 },
} as const;

const errorResponse = (description: string, extra: Record<string, unknown> = {}) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  ...extra,
});

export const webhookOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'ingest-mesh ingest-router webhook',
    version: '1.0.0',
    description:
      'HTTP source of the ingest mesh. Records posted here are written to the ingest.raw Kafka topic ' +
      '(keyed `tenant:entityType:id`) and then validated, deduplicated and routed by the ingest-router like records from any other source. ' +
      'A request is all or nothing: every record is checked first, then all are written at once. ' +
      'A 202 is sent only after Kafka has durably stored every record (acks from all in-sync replicas). ' +
      'Retrying a request is safe: records are deduplicated by tenant, source, entityType, id and revision.',
  },
  paths: {
    '/ingest/{tenant}/{entityType}': {
      post: {
        operationId: 'ingestRecords',
        summary: 'Submit one record (application/json) or many (application/x-ndjson, one record per line).',
        security: [{ tenantToken: [] }],
        parameters: [
          {
            name: 'tenant',
            in: 'path',
            required: true,
            description: 'The tenant; its bearer token must be presented.',
            schema: { type: 'string', minLength: 1, maxLength: 256 },
          },
          {
            name: 'entityType',
            in: 'path',
            required: true,
            description: 'The entity type; its schema is the registry subject `entity.<entityType>`.',
            schema: { type: 'string', pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$' },
          },
          {
            name: 'traceparent',
            in: 'header',
            required: false,
            description:
              'W3C Trace Context parent. Each record is written with a child span of it (or of its own `traceparent` field); a new trace when absent or invalid.',
            schema: { type: 'string' },
          },
        ],
        requestBody: {
          required: true,
          description:
            'At most 5 MiB by default (the server limit maxBodyBytes); each record at most limits.maxRecordBytes (default 1 MiB). Blank NDJSON lines are ignored.',
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/WebhookRecord' } },
            'application/x-ndjson': {
              schema: { type: 'string', description: 'One WebhookRecord JSON object per line (UTF-8). application/ndjson is accepted too.' },
            },
          },
        },
        responses: {
          '202': {
            description: 'Every record is durably in Kafka.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } },
          },
          '400': {
            description:
              'Invalid records (nothing accepted): invalid JSON or UTF-8, a record nested deeper than 64 levels of objects and arrays, not an object, missing or invalid envelope fields, a payload number that is not finite (such as 1e400), tenant/entityType in a record differing from the path, an unknown entity type, or a path that is not valid percent-encoding.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ValidationErrors' } } },
          },
          '401': errorResponse('Missing or wrong bearer token. An unknown tenant gets the same answer, so the endpoint does not reveal which tenants exist.', {
            headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
          }),
          '405': errorResponse('Only POST is allowed.', { headers: { Allow: { schema: { type: 'string' } } } }),
          '413': errorResponse(
            'The body is larger than maxBodyBytes (the server stops reading and closes the connection), a record is larger than maxRecordBytes (`line` names it for NDJSON), or the request has more records than the tenant’s burst.',
          ),
          '415': errorResponse('Content-Type is not application/json or application/x-ndjson (UTF-8).'),
          '429': errorResponse('The tenant’s rate limit is reached, or the router holds intake (backpressure paused or draining).', {
            headers: { 'Retry-After': retryAfter },
          }),
          '503': errorResponse('Kafka did not confirm the write; some records may have been written. Retry the whole request.', {
            headers: { 'Retry-After': retryAfter },
          }),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document.',
        responses: { '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  },
  components: {
    securitySchemes: {
      tenantToken: { type: 'http', scheme: 'bearer', description: 'The tenant’s webhook token (configured per tenant through tokenEnv).' },
    },
    schemas: {
      WebhookRecord: {
        type: 'object',
        description: 'An envelope without tenant and entityType (taken from the path; when present they must equal the path’s values).',
        required: ['id', 'revision'],
        properties: {
          tenant: { type: 'string', description: 'Optional; must equal the path’s tenant.' },
          entityType: { type: 'string', description: 'Optional; must equal the path’s entityType.' },
          source: { type: 'string', minLength: 1, maxLength: 256, default: 'webhook' },
          id: { type: 'string', minLength: 1, maxLength: 256 },
          revision: {
            description: 'Monotonic per id: a non-negative integer up to 2^53-1, as a number or a decimal string.',
            oneOf: [
              { type: 'integer', minimum: 0, maximum: 9007199254740991 },
              { type: 'string', pattern: '^\\s*\\d{1,16}\\s*$' },
            ],
          },
          occurredAt: {
            description: 'When the change happened: ISO-8601 or epoch milliseconds. Default: when the request was received.',
            oneOf: [{ type: 'string', format: 'date-time' }, { type: 'number' }],
          },
          priority: { type: 'string', enum: ['high', 'normal', 'low'], default: 'normal' },
          op: {
            type: 'string',
            enum: ['upsert', 'delete'],
            default: 'upsert',
            description: 'delete writes a tombstone downstream; payload may then be null or absent.',
          },
          payload: {
            type: ['object', 'null'],
            description: 'The entity, validated by the router against the entity type’s Avro schema. Required (an object) for upsert.',
          },
          traceparent: { type: 'string', description: 'W3C traceparent of this record; wins over the request header when valid.' },
        },
      },
      Envelope: {
        type: 'object',
        description: 'The record as written to ingest.raw (the message value, JSON).',
        required: ['tenant', 'source', 'entityType', 'id', 'revision', 'occurredAt', 'priority', 'op', 'payload', 'traceparent'],
        properties: {
          tenant: { type: 'string' },
          source: { type: 'string' },
          entityType: { type: 'string' },
          id: { type: 'string' },
          revision: { type: 'integer', minimum: 0 },
          occurredAt: { type: 'string', format: 'date-time' },
          priority: { type: 'string', enum: ['high', 'normal', 'low'] },
          op: { type: 'string', enum: ['upsert', 'delete'] },
          payload: { type: ['object', 'null'] },
          traceparent: { type: 'string' },
        },
      },
      Accepted: {
        type: 'object',
        required: ['accepted', 'ids'],
        properties: {
          accepted: { type: 'integer', minimum: 1, description: 'How many records were written.' },
          ids: { type: 'array', items: { type: 'string' }, description: 'Their ids, in request order.' },
        },
      },
      ValidationErrors: {
        type: 'object',
        required: ['error', 'errors'],
        properties: {
          error: { type: 'string' },
          errorCount: { type: 'integer', description: 'All problems found; at most 100 are listed.' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              required: ['field', 'problem'],
              properties: {
                line: { type: 'integer', minimum: 1, description: 'The NDJSON line (1-based); absent for application/json.' },
                field: { type: 'string', description: "The envelope field; '' for the record as a whole." },
                problem: { type: 'string', examples: ['expected a non-negative integer up to 2^53-1'] },
              },
            },
          },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'string' }, line: { type: 'integer', minimum: 1 } },
      },
    },
  },
} as const;
