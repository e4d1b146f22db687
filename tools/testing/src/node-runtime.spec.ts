// Node.js 24 LTS is the runtime: the tests run on the pinned major, package.json says so, and
// tools/mesh/use-node.sh (which npm start, npm test and .ci/run source) finds or installs it.
// The install path is driven with stand-ins for `node` and `npm` on PATH: no download here.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseVersionsEnv } from './versions.js';

const root = path.resolve(import.meta.dirname, '../../..');
const script = path.join(root, 'tools/mesh/use-node.sh');
const pins = parseVersionsEnv(readFileSync(path.join(root, 'tools/mesh/node.env'), 'utf8'));
const version = pins['NODE_VERSION']!;
const major = version.split('.')[0]!;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mesh-use-node-'));
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A directory with stand-in executables (shell scripts) to put first on PATH. */
function fakeBin(name: string, tools: Record<string, string>): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [tool, body] of Object.entries(tools)) {
    writeFileSync(path.join(dir, tool), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(dir, tool), 0o755);
  }
  return dir;
}

function useNode(bin: string, cache: string, args: string[] = []) {
  const res = spawnSync('bash', [script, ...args], {
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: scratch, MESH_NODE_CACHE: cache },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const node20 = fakeBin('node20', { node: `echo 20.19.0` });

describe('the Node.js runtime', () => {
  it('the tests run on the pinned major, which package.json requires', () => {
    expect(process.versions.node.split('.')[0]).toBe(major);
    const engines = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines;
    expect(engines.node).toBe(`>=${major}`);
    expect(pins[`NODE_INTEGRITY_${arch.toUpperCase()}`]).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });

  it('keeps a node of the right major that is already on PATH, installing nothing', () => {
    const bin = fakeBin('node24', { node: `echo ${version}`, npm: 'echo npm must not run >&2; exit 9' });
    expect(useNode(bin, path.join(scratch, 'unused'))).toMatchObject({ code: 0, stdout: `export PATH=${bin}:"$PATH"\n`, stderr: '' });
  });

  it('uses the cached pinned build when the machine has another major, and runs a command under it', () => {
    const cache = path.join(scratch, 'cache-warm');
    mkdirSync(path.join(cache, `${version}-${arch}`, 'bin'), { recursive: true });
    symlinkSync(process.execPath, path.join(cache, `${version}-${arch}`, 'bin', 'node'));
    const printed = useNode(node20, cache);
    expect(printed).toMatchObject({ code: 0, stdout: `export PATH=${path.join(cache, `${version}-${arch}`, 'bin')}:"$PATH"\n`, stderr: '' });
    const ran = useNode(node20, cache, ['node', '-p', 'process.versions.node']);
    expect(ran).toMatchObject({ code: 0, stdout: `${process.versions.node}\n` });
  });

  it('refuses a tarball that does not match the pinned integrity, leaving nothing installed', () => {
    const cache = path.join(scratch, 'cache-forged');
    // A stand-in npm whose "pack" writes a tarball with a different node in it.
    const npm = `mkdir -p p/package/bin && printf '#!/bin/sh\\necho forged' > p/package/bin/node && tar czf "node-linux-${arch}-${version}.tgz" -C p package`;
    const res = useNode(fakeBin('forger', { node: 'echo 20.19.0', npm }), cache);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`use-node: node-linux-${arch}@${version} does not match the integrity pinned in tools/mesh/node.env`);
    expect(spawnSync('ls', [cache], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('says what failed when the registry cannot be reached', () => {
    const res = useNode(fakeBin('offline', { node: 'echo 20.19.0', npm: 'echo "npm error network" >&2; exit 1' }), path.join(scratch, 'cache-offline'));
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`use-node: npm pack node-linux-${arch}@${version} failed (is the npm registry reachable?)`);
  });
});
