// schemas/mesh/ControlCommand.avsc, embedded so a deployed app needs no schema files on disk.
// schema.spec.ts proves the two are identical.

export const CONTROL_SUBJECT = 'mesh.control-value';
export const CONTROL_TOPIC = 'mesh.control';

export const CONTROL_COMMAND_SCHEMA = {
  type: 'record',
  namespace: 'mesh',
  name: 'ControlCommand',
  doc: 'A signed operator command on mesh.control. The signature is HMAC-SHA256 over the canonical encoding of every other field (libs/control/README.md).',
  fields: [
    {
      name: 'id',
      type: {
        type: 'string',
        logicalType: 'uuid',
      },
      doc: 'Unique per command (lower-case UUID); a replayed id is applied once.',
    },
    {
      name: 'type',
      type: {
        type: 'enum',
        name: 'ControlCommandType',
        doc: 'UNKNOWN is never issued: it is what an older reader makes of a symbol added after it was built (the enum default), so new command types do not break older apps.',
        default: 'UNKNOWN',
        symbols: [
          'UNKNOWN',
          'drain',
          'resume',
          'brownout',
          'pause',
          'redrive',
          'purge',
          'quarantine_release',
          'quarantine_archive',
          'replay_plan',
          'replay_approve',
          'replay_run',
          'replay_pause',
          'replay_resume',
          'replay_cancel',
        ],
      },
    },
    {
      name: 'target',
      type: {
        type: 'record',
        name: 'ControlTarget',
        fields: [
          {
            name: 'app',
            type: ['null', 'string'],
            default: null,
            doc: 'null = every app.',
          },
          {
            name: 'tenant',
            type: ['null', 'string'],
            default: null,
            doc: 'null = every tenant.',
          },
          {
            name: 'reason',
            type: ['null', 'string'],
            default: null,
            doc: 'A reason code (schemas/mesh/ReasonCode.avsc symbol), or null.',
          },
        ],
      },
    },
    {
      name: 'args',
      type: {
        type: 'map',
        values: 'string',
      },
      default: {},
      doc: 'Command arguments as strings, e.g. sampleRate, limit, dryRun, since, until.',
    },
    {
      name: 'issuedBy',
      type: 'string',
    },
    {
      name: 'issuedAt',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
    },
    {
      name: 'expiresAt',
      type: {
        type: 'long',
        logicalType: 'timestamp-millis',
      },
    },
    {
      name: 'signature',
      type: 'string',
      doc: 'Lower-case hex HMAC-SHA256; empty = unsigned (always rejected).',
    },
  ],
} as const;
