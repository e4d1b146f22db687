// What the README and docs/architecture.md promise about `npm start` and the repository: the
// apps and ports README lists are those tools/mesh/apps.list starts (and start.sh points at), the
// README links the architecture, and no link of either leaves the repository or points nowhere.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The mesh's own apps: README's quick start, apps.list and start.sh must all name them. */
const CORE_APPS = ['ingest-router', 'sink-postgres', 'sink-search', 'dlq-redriver', 'replay-coordinator'];

/** `<app> <port>` lines of tools/mesh/apps.list (a generated sink may add more). */
function appsList(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of read('tools/mesh/apps.list').split('\n')) {
    const [name, port] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (name && port) out.set(name, Number(port));
  }
  return out;
}

/** Rows `| <app> | http://127.0.0.1:<port> | …` of a Markdown table. */
function appRows(markdown: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of markdown.matchAll(/^\| *`?([a-z][a-z0-9-]*)`? *\| *<?http:\/\/127\.0\.0\.1:(\d+)>? *\|/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** Link targets of a Markdown text: inline links and images, outside code blocks and spans. */
export function markdownLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[(?:[^\]\n]|\][^(])*?\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
  return new Set([...prose.matchAll(/^#{1,6} +(.+)$/gm)].map((m) => headingAnchor(m[1]!)));
}

/** Problems with the links of a Markdown file of the repository: leaving it, or pointing nowhere. */
function linkProblems(file: string): string[] {
  const text = read(file);
  const problems: string[] = [];
  for (const target of markdownLinks(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//') || target.startsWith('/')) {
      problems.push(`${target}: leaves the repository`);
      continue;
    }
    const [pathPart = '', anchor] = target.split('#');
    const resolved = pathPart === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), decodeURIComponent(pathPart));
    if (path.relative(ROOT, resolved).startsWith('..')) {
      problems.push(`${target}: leaves the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      problems.push(`${target}: no such file`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor)) problems.push(`${target}: no such heading`);
  }
  return problems;
}

describe('README quick start and npm start', () => {
  it('lists every app of the mesh with the port tools/mesh/apps.list starts it on', () => {
    const listed = appsList();
    const readme = appRows(read('README.md'));
    for (const app of CORE_APPS) {
      expect(listed.get(app), `${app} in tools/mesh/apps.list`).toBeDefined();
      expect(readme.get(app), `${app} in the README's quick start`).toBe(listed.get(app));
    }
    for (const [app, port] of readme) expect(listed.get(app), `README lists ${app} on :${port}`).toBe(port);
  });

  it("start.sh prints every app's URL and points at each app's /health/detailed", () => {
    const start = read('tools/mesh/start.sh');
    expect(start).toContain('tools/mesh/apps.sh status');
    for (const app of CORE_APPS) expect(start, app).toContain(`localhost:${appsList().get(app)}/health/detailed`);
  });
});

describe('README and docs/architecture.md', () => {
  it('README links docs/architecture.md', () => {
    expect(markdownLinks(read('README.md'))).toContain('docs/architecture.md');
  });

  it.each(['README.md', 'docs/architecture.md'])('%s links nothing outside the repository, and every link resolves', (file) => {
    expect(markdownLinks(read(file)).length).toBeGreaterThan(0);
    expect(linkProblems(file)).toEqual([]);
  });

  it('docs/architecture.md names every topic, mesh schema and DLQ header of the code', () => {
    const doc = read('docs/architecture.md');
    for (const topic of ['ingest.raw', 'ingest.deferred', 'sink.<name>', 'dlq.<app>', 'mesh.control', 'mesh.events', 'mesh.routes'])
      expect(doc, topic).toContain(`\`${topic}\``);
    for (const schema of ['RawEnvelope', 'SinkRecord', 'ControlCommand', 'MeshEvent', 'ReasonCode']) {
      expect(existsSync(path.join(ROOT, `schemas/mesh/${schema}.avsc`)), schema).toBe(true);
      expect(doc, schema).toContain(`mesh/${schema}.avsc`);
    }
    const headers = [...read('libs/kafka-runtime/src/headers.ts').matchAll(/'(x-mesh-[a-z-]+|traceparent)'/g)].map((m) => m[1]!);
    expect(headers.length).toBeGreaterThan(10);
    for (const header of headers) expect(doc, header).toContain(`\`${header}\``);
  });
});

describe('markdownLinks and headingAnchor', () => {
  it('finds inline links outside code, and anchors as GitHub makes them', () => {
    expect(markdownLinks('see [a](docs/a.md) and [`b`](../b.md#x "t")\n```sh\n[c](nope)\n```\n`[d](nope)`')).toEqual(['docs/a.md', '../b.md#x']);
    expect(headingAnchor('The slow lane: over its rate means later, never stranded')).toBe('the-slow-lane-over-its-rate-means-later-never-stranded');
    expect(headingAnchor('What `npm start` does')).toBe('what-npm-start-does');
  });
});
