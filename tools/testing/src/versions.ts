// Reads tools/stack/versions.env, the one place where component versions are pinned.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const versionsFile = path.resolve(import.meta.dirname, '../../stack/versions.env');

export function parseVersionsEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Z][A-Z0-9_]*)=(\S+)$/.exec(line);
    if (!match) throw new Error(`versions.env: cannot read line "${line}" (expected NAME=value)`);
    out[match[1]!] = match[2]!;
  }
  return out;
}

export function stackVersions(): Record<string, string> {
  return parseVersionsEnv(readFileSync(versionsFile, 'utf8'));
}

export function requireVersion(versions: Record<string, string>, name: string): string {
  const value = versions[name];
  if (!value) throw new Error(`tools/stack/versions.env has no ${name}`);
  return value;
}
