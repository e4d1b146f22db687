// Reads a V8 CPU profile (node --cpu-prof) and names where the time went: self time per
// function, the biggest first, as shares of the busy time (idle samples left out). This is what
// the report shows next to a target not met.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface Hotspot {
  fn: string;
  where: string;
  selfPct: number;
}

export function hotspots(profile: { nodes: ProfileNode[] }, top = 12): Hotspot[] {
  const byFunction = new Map<string, { fn: string; where: string; hits: number }>();
  let total = 0;
  for (const node of profile.nodes) {
    // Waiting is not work: shares are of the time the process was busy.
    if (node.callFrame.functionName === '(idle)') continue;
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${fn}@${where}`;
    const entry = byFunction.get(key) ?? { fn, where, hits: 0 };
    entry.hits += hits;
    byFunction.set(key, entry);
  }
  return [...byFunction.values()]
    .filter((e) => e.hits > 0)
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map((e) => ({ fn: e.fn, where: e.where, selfPct: total > 0 ? Math.round((e.hits / total) * 1000) / 10 : 0 }));
}

export function hotspotsOfFile(file: string, top?: number): Hotspot[] {
  return hotspots(JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] }, top);
}

/** node_modules/<pkg>/… or the path inside the repository, without the file:// noise. */
function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  const repo = path.search(/\/(apps|libs|tools)\//);
  return repo >= 0 ? path.slice(repo + 1) : path;
}
