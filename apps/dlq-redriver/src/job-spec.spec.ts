import { newCommand, signCommand, type ControlCommand } from '@ingest-mesh/control';
import { describe, expect, it } from 'vitest';
import { filterSql, isDlqCommand, jobSpecOf, JobSpecError, type DlqCommandType } from './job-spec.js';

const cmd = (type: DlqCommandType, args: Record<string, string> = {}, target: Partial<ControlCommand['target']> = {}) =>
  signCommand(newCommand({ type, target, args, issuedBy: 'op' }), 's'.repeat(40)) as ControlCommand & { type: DlqCommandType };

describe('jobSpecOf', () => {
  it('reads a redrive with its filter, limit, rate and dry run', () => {
    const spec = jobSpecOf(
      cmd(
        'redrive',
        { limit: '50', rate: '0', dryRun: 'true', since: '2025-01-01T00:00:00Z' },
        { tenant: 'acme', reason: 'CONNECTION_ERROR', app: 'sink-postgres' },
      ),
    );
    expect(spec).toEqual({
      type: 'redrive',
      filter: { tenant: 'acme', reason: 'CONNECTION_ERROR', app: 'sink-postgres', since: '2025-01-01T00:00:00.000Z', until: null, ids: null },
      limit: 50,
      rate: 0,
      dryRun: true,
      olderThanDays: null,
    });
  });

  it('has defaults and requires olderThanDays for purge', () => {
    expect(jobSpecOf(cmd('redrive'))).toMatchObject({ limit: 1000, rate: 100, dryRun: false });
    expect(() => jobSpecOf(cmd('purge'))).toThrow(/olderThanDays is required/);
    expect(jobSpecOf(cmd('purge', { olderThanDays: '30' })).olderThanDays).toBe(30);
  });

  it('refuses bad arguments with the argument name', () => {
    expect(() => jobSpecOf(cmd('redrive', { limit: '0' }))).toThrow(JobSpecError);
    expect(() => jobSpecOf(cmd('redrive', { rate: 'fast' }))).toThrow(/args.rate/);
    expect(() => jobSpecOf(cmd('redrive', { dryRun: 'maybe' }))).toThrow(/args.dryRun/);
    expect(() => jobSpecOf(cmd('redrive', { since: 'yesterday' }))).toThrow(/args.since/);
    expect(() => jobSpecOf(cmd('redrive', { since: '2025-02-01T00:00Z', until: '2025-01-01T00:00Z' }))).toThrow(/before/);
    expect(() => jobSpecOf(cmd('quarantine_release', { ids: '1,x' }))).toThrow(/args.ids/);
  });

  it('knows which commands are its own', () => {
    expect(isDlqCommand({ type: 'purge' })).toBe(true);
    expect(isDlqCommand({ type: 'drain' })).toBe(false);
  });
});

describe('filterSql', () => {
  it('is TRUE without filters', () => {
    expect(filterSql({ tenant: null, reason: null, app: null, since: null, until: null, ids: null }, 1)).toEqual({ sql: 'TRUE', params: [] });
  });

  it('numbers its parameters from the given index', () => {
    const f = filterSql({ tenant: 'acme', reason: null, app: 'sink-postgres', since: null, until: '2025-01-01T00:00:00.000Z', ids: ['4'] }, 3);
    expect(f.sql).toBe('tenant = $3 AND app = $4 AND last_failure_at < $5::timestamptz AND id = ANY($6::bigint[])');
    expect(f.params).toEqual(['acme', 'sink-postgres', '2025-01-01T00:00:00.000Z', ['4']]);
  });
});
