// The router's config file (YAML or JSON, path from ROUTER_CONFIG): tenants, the routes of each
// entity type with their data-quality rules, per-tenant route overrides, and limits. Validated
// at start-up; every problem is reported with its path inside the file and what was expected.
import { ConfigFileError, formatIssues, formatPath as formatFilePath, readConfigFile, type FormatIssuesOptions } from '@ingest-mesh/config-file';
import { PRIORITY_SYMBOLS, type Priority } from '@ingest-mesh/contracts';
import { z } from 'zod';
import { parseFieldPath } from '@ingest-mesh/field-path';

export const PRIORITIES = PRIORITY_SYMBOLS;
export type { Priority };

/** Sink names become topics `sink.<name>`. */
export const SINK_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
/** Tenants appear in record keys (`tenant:entityType:id`) and route keys: no `:`, no `*`. */
export const TENANT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Entity types name registry subjects `entity.<entityType>` (same rule as @ingest-mesh/avro). */
export const ENTITY_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const ENV_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

const priority = z.enum(PRIORITIES);

const sinkName = z.string({ error: 'expected a sink name (string)' }).regex(SINK_NAME_PATTERN, {
  error: (iss) => `not a valid sink name ${JSON.stringify(iss.input)}: expected lowercase letters, digits and -, starting with a letter`,
});

const regexSource = z.string({ error: 'expected a regular expression (string)' }).superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err);
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${why}` });
  }
});

const fieldPath = z.string({ error: 'expected a field path (string), e.g. address.zip or items[*].qty' }).superRefine((p, ctx) => {
  try {
    parseFieldPath(p);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
});

const finite = z.number({ error: 'expected a number' }).refine(Number.isFinite, { error: 'expected a finite number' });
const length = z.number({ error: 'expected a length (integer ≥ 0)' }).int({ error: 'expected an integer ≥ 0' }).min(0, { error: 'expected an integer ≥ 0' });

export const ruleSchema = z
  .strictObject({
    field: fieldPath,
    required: z.boolean({ error: 'expected true or false' }).optional(),
    min: finite.optional(),
    max: finite.optional(),
    minLength: length.optional(),
    maxLength: length.optional(),
    pattern: regexSource.optional(),
    enum: z
      .array(z.union([z.string(), finite], { error: 'expected strings or numbers' }), { error: 'expected a list of allowed values' })
      .min(1, { error: 'expected at least one allowed value' })
      .optional(),
  })
  .superRefine((rule, ctx) => {
    const checks = ['min', 'max', 'minLength', 'maxLength', 'pattern', 'enum'] as const;
    if (rule.required !== true && checks.every((c) => rule[c] === undefined)) {
      ctx.addIssue({ code: 'custom', message: `rule for "${rule.field}" checks nothing: give required, ${checks.join(', ')}` });
    }
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max (${rule.max}) is below min (${rule.min})` });
    }
    if (rule.minLength !== undefined && rule.maxLength !== undefined && rule.minLength > rule.maxLength) {
      ctx.addIssue({ code: 'custom', path: ['maxLength'], message: `maxLength (${rule.maxLength}) is below minLength (${rule.minLength})` });
    }
  });
export type Rule = z.infer<typeof ruleSchema>;

const tenantSchema = z.strictObject({
  /** Name of the env var holding the tenant's webhook bearer token; secrets never live in the file. */
  tokenEnv: z
    .string({ error: 'expected an environment variable name' })
    .regex(ENV_NAME_PATTERN, { error: 'not an environment variable name: expected A-Z, 0-9 and _' })
    .optional(),
  ratePerSec: z.number({ error: 'expected a number of records per second' }).positive({ error: 'expected a number > 0' }).optional(),
  burst: z.number({ error: 'expected a number of records' }).int({ error: 'expected an integer ≥ 1' }).min(1, { error: 'expected an integer ≥ 1' }).optional(),
});
export type TenantConfig = z.infer<typeof tenantSchema>;

const entityTypeSchema = z.strictObject({
  sinks: z.array(sinkName, { error: 'expected a list of sink names' }).min(1, { error: 'expected at least one sink' }),
  priority: priority.optional(),
  rules: z.array(ruleSchema, { error: 'expected a list of rules' }).optional(),
});
export type EntityTypeConfig = z.infer<typeof entityTypeSchema>;

/** A tenant's override of an entity type's route. `sinks: []` turns the route off for the tenant. */
const tenantOverrideSchema = z.strictObject({
  sinks: z.array(sinkName, { error: 'expected a list of sink names' }).optional(),
  priority: priority.optional(),
});
export type TenantRouteOverride = z.infer<typeof tenantOverrideSchema>;

const record = <T extends z.ZodType>(key: z.ZodString, value: T, what: string) => z.record(key, value, { error: `expected a map of ${what}` });
const tenantName = z.string().regex(TENANT_NAME_PATTERN, {
  error: (iss) =>
    `not a valid tenant name ${JSON.stringify(iss.input)}: expected lowercase letters, digits, _ and -, starting with a letter or digit, at most 64 characters`,
});
const entityTypeName = z.string().regex(ENTITY_TYPE_PATTERN, {
  error: (iss) => `not a valid entity type ${JSON.stringify(iss.input)}: expected lowercase dot-separated names such as customer or billing.invoice`,
});

export const routerConfigSchema = z
  .strictObject(
    {
      tenants: record(tenantName, tenantSchema, 'tenant name → tenant settings'),
      entityTypes: record(entityTypeName, entityTypeSchema, 'entity type → route'),
      tenantOverrides: record(tenantName, record(entityTypeName, tenantOverrideSchema, 'entity type → route override'), 'tenant name → overrides').optional(),
      limits: z
        .strictObject({
          maxRecordBytes: z
            .number({ error: 'expected a number of bytes' })
            .int({ error: 'expected an integer > 0' })
            .positive({ error: 'expected an integer > 0' })
            .optional(),
        })
        .optional(),
    },
    { error: 'expected a map with tenants, entityTypes, tenantOverrides and limits' },
  )
  .superRefine((config, ctx) => {
    // Cross-references; zod runs this only once the structure above is valid.
    for (const [tenant, overrides] of Object.entries(config.tenantOverrides ?? {})) {
      if (!Object.hasOwn(config.tenants, tenant)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenantOverrides', tenant],
          message: `tenant "${tenant}" is not configured under tenants (known: ${known(config.tenants)})`,
        });
      }
      for (const entityType of Object.keys(overrides)) {
        if (!Object.hasOwn(config.entityTypes, entityType)) {
          ctx.addIssue({
            code: 'custom',
            path: ['tenantOverrides', tenant, entityType],
            message: `entity type "${entityType}" is not configured under entityTypes (known: ${known(config.entityTypes)})`,
          });
        }
      }
    }
  })
  .transform((config) => ({
    ...config,
    tenantOverrides: config.tenantOverrides ?? {},
    limits: { maxRecordBytes: config.limits?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES },
  }));

export type RouterConfig = z.output<typeof routerConfigSchema>;

export class RouterConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`router config ${source} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'RouterConfigError';
  }
}

/** The router's keys (sink names, tenants) may contain `-` and still print bare; enum mismatches list the allowed values. */
const ISSUE_FORMAT: FormatIssuesOptions = { plainKey: /^[A-Za-z_][A-Za-z0-9_-]*$/, invalidValue: 'values' };

/** Validates an already parsed config document; `source` names it in errors. */
export function parseRouterConfig(raw: unknown, source = '<inline>'): RouterConfig {
  const result = routerConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new RouterConfigError(source, formatIssues(result.error, ISSUE_FORMAT));
}

/** Reads and validates the config file: `.json` as JSON, anything else as YAML. */
export async function loadRouterConfig(file: string): Promise<RouterConfig> {
  let raw: unknown;
  try {
    raw = await readConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new RouterConfigError(file, [err.problem]);
    throw err;
  }
  return parseRouterConfig(raw, file);
}

/** `entityTypes.order.rules[1].pattern`; keys that are not plain names are quoted: `entityTypes["a b"]`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  return formatFilePath(segments, ISSUE_FORMAT);
}

const known = (o: object) => Object.keys(o).join(', ') || 'none';
