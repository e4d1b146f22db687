// docs/runbooks hold together: every link to a runbook section lands on a heading, every alert
// has its section, and the sections the lead fills in (DLQ, replay) are there to be filled.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './tools.js';

const DIR = path.join(REPO_ROOT, 'docs/runbooks');
const docs = new Map(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.md'))
    .map((f) => [f, readFileSync(path.join(DIR, f), 'utf8')]),
);

/** GitHub's anchor of a Markdown heading. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(text: string): Set<string> {
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

describe('the runbooks', () => {
  it('link only to files and sections that exist', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const [file, text] of docs) {
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^https?:/.test(target)) continue;
        checked += 1;
        const [rel, hash] = target.split('#') as [string, string | undefined];
        const targetFile = rel === '' ? path.join(DIR, file) : path.resolve(DIR, rel);
        if (!existsSync(targetFile)) broken.push(`${file}: ${target} (no file)`);
        else if (hash && targetFile.endsWith('.md') && !anchors(readFileSync(targetFile, 'utf8')).has(hash)) broken.push(`${file}: ${target} (no heading)`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(15);
  });

  it('keep the sections the DLQ and replay tools fill in', () => {
    const ops = anchors(docs.get('operations.md')!);
    expect(ops.has('dlq-triage-and-redrive')).toBe(true);
    expect(ops.has('replay-a-time-window')).toBe(true);
  });
});
