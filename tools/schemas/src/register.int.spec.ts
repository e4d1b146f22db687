// The CLI as `npm start` runs it, against the real registry: one line per subject, the same
// lines on a second run; exit 1 with one line when the registry is unreachable.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const args = ['--conditions=@ingest-mesh/source', '--import', 'tsx', 'tools/schemas/register.ts'];

describe('tools/schemas/register.ts', () => {
  it('registers the mesh schemas and prints subject, id and version, idempotently', async () => {
    const first = await run(process.execPath, args, { cwd: root, env: process.env });
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['entity.customer', 'entity.order', 'mesh.SinkRecord', 'mesh.RawEnvelope']);
    for (const line of lines) expect(line).toMatch(/^\S+ id=\d+ version=\d+$/);
    const second = await run(process.execPath, args, { cwd: root, env: process.env });
    expect(second.stdout).toBe(first.stdout);
  });

  it('exits 1 with one line naming the reason when the registry is unreachable', async () => {
    const err = await run(process.execPath, [...args, '--registry', 'http://127.0.0.1:1'], { cwd: root, env: process.env }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 1 });
    const stderr = (err as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^schema registration failed at http:\/\/127.0.0.1:1 \(CONNECTION_ERROR\): /);
  });
});
