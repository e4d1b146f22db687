import { ENDPOINT_DEFAULTS } from '@ingest-mesh/env-config';
import { describe, expect, it } from 'vitest';
import { UsageError, parseSetRouteArgs } from './set-route-args.js';

const env = { KAFKA_BROKERS: 'k1:9092, k2:9092' };
const parse = (line: string) => parseSetRouteArgs(line.split(' ').filter(Boolean), env);
const usage = (line: string) => {
  try {
    parse(line);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected a usage error for: ${line}`);
};

describe('parseSetRouteArgs', () => {
  it('sets an override for a tenant', () => {
    expect(parse('--tenant acme --entity-type order --sinks postgres,search')).toEqual({
      action: 'set',
      key: 'acme:order',
      override: { sinks: ['postgres', 'search'] },
      topic: 'mesh.routes',
      brokers: ['k1:9092', 'k2:9092'],
    });
  });

  it('sets an override for all tenants, with a priority, topic and brokers', () => {
    expect(parse('--all-tenants --entity-type order --sinks search --priority high --topic t.routes --brokers b:1')).toEqual({
      action: 'set',
      key: '*:order',
      override: { sinks: ['search'], priority: 'high' },
      topic: 't.routes',
      brokers: ['b:1'],
    });
    expect(parseSetRouteArgs(['--tenant', '*', '--entity-type', 'order', '--off'], {})).toMatchObject({
      key: '*:order',
      override: { sinks: [] },
      brokers: [ENDPOINT_DEFAULTS.KAFKA_BROKERS],
    });
  });

  it('deletes and lists', () => {
    expect(parse('--tenant acme --entity-type order --delete')).toMatchObject({ action: 'delete', key: 'acme:order' });
    expect(parse('--list')).toEqual({ action: 'list', topic: 'mesh.routes', brokers: ['k1:9092', 'k2:9092'] });
    expect(parse('--help')).toEqual({ action: 'help' });
  });

  it('explains what is wrong', () => {
    expect(usage('--entity-type order --sinks postgres')).toMatch(/--tenant is required/);
    expect(usage('--tenant acme --sinks postgres')).toMatch(/--entity-type is required/);
    expect(usage('--tenant acme --entity-type order')).toMatch(/exactly one of --sinks, --off, --delete/);
    expect(usage('--tenant acme --entity-type order --sinks postgres --delete')).toMatch(/exactly one of/);
    expect(usage('--tenant acme --entity-type order --sinks Post_gres')).toMatch(/--sinks: "Post_gres" not a valid sink name/);
    expect(usage('--tenant acme --entity-type order --sinks ,')).toMatch(/comma-separated list/);
    expect(usage('--tenant acme --entity-type order --sinks postgres --priority urgent')).toMatch(/--priority: expected one of high, normal, low/);
    expect(usage('--tenant Acme --entity-type order --delete')).toMatch(/valid tenant name/);
    expect(usage('--tenant acme --all-tenants --entity-type order --delete')).toMatch(/not both/);
    expect(usage('--tenant acme --entity-type order --delete --priority high')).toMatch(/--delete takes no --priority/);
    expect(usage('--list --tenant acme')).toMatch(/--list takes no --tenant/);
    expect(usage('--tenant acme --entity-type order --sinks a --bogus')).toMatch(/bogus/);
  });
});
