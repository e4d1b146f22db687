import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RECORD_BYTES, RouterConfigError, formatPath, loadRouterConfig, parseRouterConfig } from './router-config.js';

const example = path.resolve(import.meta.dirname, '../config/router.yaml');

const valid = () => ({
  tenants: { acme: { tokenEnv: 'ROUTER_TOKEN_ACME', ratePerSec: 10, burst: 20 } },
  entityTypes: {
    order: {
      sinks: ['postgres'],
      rules: [
        { field: 'amountCents', min: 0 },
        { field: 'items', required: true },
      ],
    },
  },
});

/** The problems parseRouterConfig reports for `raw`. */
function problems(raw: unknown): string[] {
  try {
    parseRouterConfig(raw, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(RouterConfigError);
    expect((err as RouterConfigError).message).toContain('router config test.yaml is invalid');
    return (err as RouterConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

function withOrder(change: (order: Record<string, unknown>) => void): unknown {
  const c = valid() as { entityTypes: { order: Record<string, unknown> } };
  change(c.entityTypes.order);
  return c;
}

describe('the example config', () => {
  it('loads with the demo tenants, entity types and overrides', async () => {
    const config = await loadRouterConfig(example);
    expect(Object.keys(config.tenants).sort()).toEqual(['acme', 'globex']);
    expect(config.tenants.acme).toEqual({ tokenEnv: 'ROUTER_TOKEN_ACME', ratePerSec: 500, burst: 1000 });
    expect(config.tenants.globex?.tokenEnv).toBe('ROUTER_TOKEN_GLOBEX');
    expect(config.entityTypes.customer?.sinks).toEqual(['postgres', 'search']);
    expect(config.entityTypes.customer?.rules?.map((r) => r.field)).toEqual(['email', 'name', 'country']);
    expect(config.entityTypes.order).toMatchObject({ sinks: ['postgres'], priority: 'normal' });
    expect(config.tenantOverrides).toEqual({ globex: { order: { sinks: ['postgres', 'search'] } } });
    expect(config.limits.maxRecordBytes).toBe(1048576);
  });
});

describe('parseRouterConfig', () => {
  it('fills defaults: no tenantOverrides, 1 MiB records', () => {
    const config = parseRouterConfig(valid());
    expect(config.tenantOverrides).toEqual({});
    expect(config.limits.maxRecordBytes).toBe(DEFAULT_MAX_RECORD_BYTES);
  });

  it('accepts entity types with dots and tenants with digits, - and _', () => {
    const c = { tenants: { 'acme-2_eu': {} }, entityTypes: { 'billing.invoice': { sinks: ['postgres-eu'] } } };
    expect(parseRouterConfig(c).entityTypes['billing.invoice']?.sinks).toEqual(['postgres-eu']);
  });

  it('names the path of a regex that does not compile', () => {
    expect(
      problems(
        withOrder(
          (o) =>
            (o.rules = [
              { field: 'amountCents', min: 0 },
              { field: 'id', pattern: '([a-z' },
            ]),
        ),
      ),
    ).toEqual([expect.stringMatching(/^entityTypes\.order\.rules\[1\]\.pattern: not a valid regular expression: /)]);
  });

  it('names the path of a bad sink name and shows it', () => {
    expect(problems(withOrder((o) => (o.sinks = ['postgres', 'Search_1'])))).toEqual([
      'entityTypes.order.sinks[1]: not a valid sink name "Search_1": expected lowercase letters, digits and -, starting with a letter',
    ]);
  });

  it('wants at least one sink per entity type', () => {
    expect(problems(withOrder((o) => (o.sinks = [])))).toEqual(['entityTypes.order.sinks: expected at least one sink']);
    expect(problems(withOrder((o) => delete o.sinks))).toEqual(['entityTypes.order.sinks: expected a list of sink names, got nothing']);
  });

  it('names a bad tenant name', () => {
    const c = { ...valid(), tenants: { 'Acme:EU': {} } };
    expect(problems(c)).toEqual([expect.stringMatching(/^tenants\["Acme:EU"\]: not a valid tenant name "Acme:EU": expected lowercase/)]);
  });

  it('names a bad entity type', () => {
    const c = { ...valid(), entityTypes: { Order: { sinks: ['postgres'] } } };
    expect(problems(c)).toEqual([expect.stringMatching(/^entityTypes\.Order: not a valid entity type "Order"/)]);
  });

  it('rejects a tenantOverrides entity type that is not configured', () => {
    const c = { ...valid(), tenantOverrides: { acme: { invoice: { sinks: ['search'] } } } };
    expect(problems(c)).toEqual(['tenantOverrides.acme.invoice: entity type "invoice" is not configured under entityTypes (known: order)']);
  });

  it('rejects a tenantOverrides tenant that is not configured', () => {
    const c = { ...valid(), tenantOverrides: { globex: { order: { sinks: ['search'] } } } };
    expect(problems(c)).toEqual(['tenantOverrides.globex: tenant "globex" is not configured under tenants (known: acme)']);
  });

  it('checks tenantOverrides sink names and priorities', () => {
    const c = { ...valid(), tenantOverrides: { acme: { order: { sinks: ['no way'], priority: 'urgent' } } } };
    expect(problems(c)).toEqual([
      expect.stringMatching(/^tenantOverrides\.acme\.order\.sinks\[0\]: not a valid sink name "no way"/),
      'tenantOverrides.acme.order.priority: expected one of "high", "normal", "low", got string "urgent"',
    ]);
  });

  it('names wrong types with what was found', () => {
    const c = { ...valid(), tenants: { acme: { ratePerSec: '500', burst: 1.5, tokenEnv: 'lower' } } };
    expect(problems(c)).toEqual([
      'tenants.acme.tokenEnv: not an environment variable name: expected A-Z, 0-9 and _',
      'tenants.acme.ratePerSec: expected a number of records per second, got string "500"',
      'tenants.acme.burst: expected an integer ≥ 1, got number 1.5',
    ]);
  });

  it('rejects unknown keys (typos) at any level', () => {
    const c = { ...valid(), limit: {} };
    expect(problems(c)).toEqual(['(top level): unknown key "limit"']);
    expect(problems(withOrder((o) => (o.rules = [{ field: 'id', minlength: 1, required: true }])))).toEqual([
      'entityTypes.order.rules[0]: unknown key "minlength"',
    ]);
  });

  it('rejects a rule that checks nothing, min above max, minLength above maxLength', () => {
    expect(problems(withOrder((o) => (o.rules = [{ field: 'id', required: false }])))).toEqual([
      expect.stringMatching(/^entityTypes\.order\.rules\[0\]: rule for "id" checks nothing/),
    ]);
    expect(
      problems(
        withOrder(
          (o) =>
            (o.rules = [
              { field: 'n', min: 5, max: 1 },
              { field: 's', minLength: 3, maxLength: 2 },
            ]),
        ),
      ),
    ).toEqual(['entityTypes.order.rules[0].max: max (1) is below min (5)', 'entityTypes.order.rules[1].maxLength: maxLength (2) is below minLength (3)']);
  });

  it('rejects bad field paths, lengths and enums', () => {
    const rules = [
      { field: 'items[x].qty', required: true },
      { field: 'name', minLength: -1 },
      { field: 'tier', enum: [] },
      { field: 'c', enum: [true] },
    ];
    expect(problems(withOrder((o) => (o.rules = rules)))).toEqual([
      expect.stringMatching(/^entityTypes\.order\.rules\[0\]\.field: "items\[x\]\.qty" is not a field path/),
      'entityTypes.order.rules[1].minLength: expected an integer ≥ 0',
      'entityTypes.order.rules[2].enum: expected at least one allowed value',
      'entityTypes.order.rules[3].enum[0]: expected strings or numbers',
    ]);
  });

  it('rejects a bad limit', () => {
    expect(problems({ ...valid(), limits: { maxRecordBytes: 0 } })).toEqual(['limits.maxRecordBytes: expected an integer > 0']);
  });

  it('reports missing sections and a document that is not a map', () => {
    expect(problems({})).toEqual([
      'tenants: expected a map of tenant name → tenant settings, got nothing',
      'entityTypes: expected a map of entity type → route, got nothing',
    ]);
    expect(problems('hello')).toEqual(['(top level): expected a map with tenants, entityTypes, tenantOverrides and limits, got string "hello"']);
  });
});

describe('loadRouterConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'router-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  };
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => expect.fail('expected a RouterConfigError'),
      (err: unknown) => err as RouterConfigError,
    );

  it('reads JSON by extension', async () => {
    const file = await write('router.json', JSON.stringify(valid()));
    expect((await loadRouterConfig(file)).entityTypes.order?.sinks).toEqual(['postgres']);
  });

  it('names the file and the path inside it', async () => {
    const file = await write('bad.yaml', 'tenants: {}\nentityTypes:\n  order:\n    sinks: [postgres]\n    rules:\n      - { field: id, pattern: "[" }\n');
    const err = await failure(loadRouterConfig(file));
    expect(err).toBeInstanceOf(RouterConfigError);
    expect(err.message).toContain(`router config ${file} is invalid`);
    expect(err.problems).toEqual([expect.stringMatching(/^entityTypes\.order\.rules\[0\]\.pattern: not a valid regular expression/)]);
  });

  it('reports YAML syntax errors and duplicate keys', async () => {
    const broken = await failure(loadRouterConfig(await write('broken.yaml', 'tenants: {\nentityTypes: [')));
    expect(broken.problems).toEqual([expect.stringMatching(/^not valid YAML: /)]);
    const dup = await failure(loadRouterConfig(await write('dup.yaml', 'tenants: {}\ntenants: {}\nentityTypes: {}\n')));
    expect(dup.problems).toEqual([expect.stringMatching(/^not valid YAML: .*[Mm]ap keys must be unique/)]);
  });

  it('reports JSON syntax errors', async () => {
    const err = await failure(loadRouterConfig(await write('broken.json', '{"tenants": ')));
    expect(err.problems).toEqual([expect.stringMatching(/^not valid JSON: /)]);
  });

  it('reports a file it cannot read', async () => {
    const err = await failure(loadRouterConfig(path.join(dir, 'missing.yaml')));
    expect(err.problems).toEqual([expect.stringMatching(/^cannot read the file: ENOENT/)]);
  });
});

describe('formatPath', () => {
  it('writes names with dots, indexes in brackets and odd keys quoted', () => {
    expect(formatPath(['entityTypes', 'order', 'rules', 1, 'pattern'])).toBe('entityTypes.order.rules[1].pattern');
    expect(formatPath(['entityTypes', 'billing.invoice', 'sinks'])).toBe('entityTypes["billing.invoice"].sinks');
    expect(formatPath([])).toBe('(top level)');
  });
});
