// Nx sees every dependency (issue #15, "Tooling tells the truth"). Nx takes a project's imports
// from its package.json; what no import says, this spec finds in the source of every project
// and checks that each one is an edge of `nx graph` (static, or implicitDependencies in the
// project.json), so that `nx affected` picks the tests that would catch a break:
// - a path naming another project's directory: a main.ts or bin/*.mjs spawned, a config file
//   read ('apps/sink-postgres/src/main.ts', path.join(root, 'apps', 'x'), `apps/${app}/…` with the
//   app names spelled in the same file);
// - a function of the test harness (projects tagged type:test) that spawns or reads another
//   project, e.g. spawnRouter → ingest-router: a dependency of the projects that call it, not of
//   the harness (the stack's own tests use the harness: that edge would be a cycle);
// - an app's PostgreSQL tables (CREATE TABLE/VIEW in its migrations/) read by another project;
//   either direction counts, as when dlq-redriver's tests drive the dlqtriage CLI that reads its
//   tables (the reverse edge as well would be a cycle).
// Prose (a string with spaces: log lines, error messages) and comments name paths for a reader,
// not for the program: not counted. And the graph must stay acyclic: Nx refuses to run `build`
// (dependsOn ^build) over a cycle.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const GROUPS = new Set(['apps', 'libs', 'tools']);
/** Dynamic paths (`apps/${x}`) whose target the file does not spell, with why that is fine. */
const UNRESOLVED_OK: Record<string, string> = {
  'tools/nx-plugin/src/sink/generator.ts apps/${}': 'creates apps/sink-<name>, a project that does not exist yet',
};

interface Project {
  name: string;
  root: string;
  tags: string[];
  packageName: string | undefined;
}
interface Ref {
  from: string;
  to: string;
  where: string;
  what: string;
}
interface Edge {
  source: string;
  target: string;
  type: string;
}

let projects: Project[];
let edges: Edge[];
const pathRefs: Ref[] = [];
const harnessRefs: Ref[] = [];
const tableRefs: Ref[] = [];
const unresolved: string[] = [];

beforeAll(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-graph-'));
  try {
    const file = path.join(dir, 'graph.json');
    const res = spawnSync(path.join(root, 'node_modules/.bin/nx'), ['graph', `--file=${file}`], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`nx graph failed: ${res.stderr || res.stdout}`);
    const { graph } = JSON.parse(readFileSync(file, 'utf8')) as {
      graph: { nodes: Record<string, { data: { root: string; tags?: string[] } }>; dependencies: Record<string, Edge[]> };
    };
    projects = Object.entries(graph.nodes).map(([name, node]) => {
      const pkg = path.join(root, node.data.root, 'package.json');
      const packageName = existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name : undefined;
      return { name, root: node.data.root, tags: node.data.tags ?? [], packageName };
    });
    edges = Object.values(graph.dependencies)
      .flat()
      .filter((e) => graph.nodes[e.target]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  scan();
}, 60_000);

describe('the project graph', () => {
  it('has every project another project spawns or reads by path', () => {
    expect(pathRefs.length).toBeGreaterThan(0);
    expect(uncovered(pathRefs, false)).toEqual([]);
  });

  it("has what the harness' functions spawn or read as dependencies of the projects calling them", () => {
    // The scan finds the router behind spawnRouter: it is not blind.
    expect(harnessRefs).toContainEqual(expect.objectContaining({ from: 'sink-postgres', to: 'ingest-router', what: expect.stringContaining('spawnRouter') }));
    expect(uncovered(harnessRefs, false)).toEqual([]);
  });

  it("links each project that reads an app's tables with the app", () => {
    expect(tableRefs).toContainEqual(expect.objectContaining({ from: 'replayctl', to: 'replay-coordinator' }));
    expect(uncovered(tableRefs, true)).toEqual([]);
  });

  it('resolves every path built from a variable (`apps/${app}/…`) to the projects it may name', () => {
    expect(unresolved.filter((u) => !UNRESOLVED_OK[u])).toEqual([]);
    // And the exceptions are still there (none outlives its file).
    expect(Object.keys(UNRESOLVED_OK).filter((u) => !unresolved.includes(u))).toEqual([]);
  });

  it('has no cycle (nx runs no build over one)', () => {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (p: string, trail: string[]): void => {
      if (state.get(p) === 'done') return;
      if (state.get(p) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(p)), p].join(' → '));
        return;
      }
      state.set(p, 'open');
      for (const t of next.get(p) ?? []) visit(t, [...trail, p]);
      state.set(p, 'done');
    };
    for (const p of projects) visit(p.name, []);
    expect(cycles).toEqual([]);
  });
});

/** The references no edge covers, as readable lines (with the fix). */
function uncovered(refs: Ref[], eitherWay: boolean): string[] {
  const has = (s: string, t: string) => edges.some((e) => e.source === s && e.target === t);
  const lines = refs
    .filter((r) => !has(r.from, r.to) && !(eitherWay && has(r.to, r.from)))
    .map((r) => `${r.from} → ${r.to}: ${r.where} ${r.what} (add "${r.to}" to implicitDependencies in ${rootOf(r.from)}/project.json)`);
  return [...new Set(lines)].sort();
}

function rootOf(name: string): string {
  return projects.find((p) => p.name === name)!.root;
}

// ---------------------------------------------------------------------------------------------
// The scan.

interface Text {
  text: string;
  node: ts.Node;
  literal: boolean;
}
interface Statement {
  names: string[];
  used: Set<string>;
  targets: Set<string>;
  harnessFiles: Set<string>;
}
interface HarnessFile {
  statements: Statement[];
  declared: Map<string, Statement>;
  imports: Map<string, { file: string; name: string }>;
  exported: Set<string>;
}

function scan(): void {
  const byRoot = new Map(projects.map((p) => [p.root, p]));
  const owners = tableOwners();
  const harness = projects.filter((p) => p.tags.includes('type:test'));
  const harnessFiles = new Map<string, HarnessFile>();
  const uses: { project: Project; file: string; line: number; harnessFile: string | undefined; names: string[] }[] = [];

  for (const project of projects) {
    for (const file of sourceFiles(project.root)) {
      const sf = ts.createSourceFile(file, readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
      const line = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
      const texts = textsOf(sf, file);
      const literals = new Set(texts.filter((t) => t.literal).map((t) => t.text));
      const isTest = /\.spec\.[mc]?[jt]s$/.test(file) || file.includes('/test-support/');
      const isHarness = harness.includes(project);

      // Paths naming another project (resolved per text, so harness statements can own them).
      const targetsOf = (t: Text): { to: Project; what: string }[] => {
        if (/\s/.test(t.text)) return [];
        const found: { to: Project; what: string }[] = [];
        const segments = t.text.split('/');
        segments.forEach((group, i) => {
          const name = segments[i + 1];
          if (!GROUPS.has(group) || name === undefined) return;
          if (!name.includes('${}')) {
            const to = byRoot.get(`${group}/${name}`);
            if (to) found.push({ to, what: `names ${t.text.replace(/^\$\{\}\//, '')}` });
            return;
          }
          const prefix = name.slice(0, name.indexOf('${}'));
          const candidates = projects.filter((p) => p.root.startsWith(`${group}/${prefix}`) && literals.has(p.root.slice(group.length + 1)));
          if (candidates.length === 0) unresolved.push(`${file} ${group}/${name}`);
          for (const to of candidates)
            found.push({ to, what: `names ${t.text.replace(/^\$\{\}\//, '')} (${to.root.slice(group.length + 1)} spelled in the file)` });
        });
        return found;
      };

      if (!isHarness) {
        for (const t of texts) {
          for (const { to, what } of targetsOf(t)) {
            if (to !== project) pathRefs.push({ from: project.name, to: to.name, where: `${file}:${line(t.node)}`, what });
          }
        }
      }

      // Tables of another project's migrations/.
      for (const t of tableNames(sf, texts, isTest)) {
        for (const owner of owners.get(t.table) ?? []) {
          if (owner !== project)
            tableRefs.push({ from: project.name, to: owner.name, where: `${file}:${line(t.node)}`, what: `reads ${owner.name}'s table ${t.table}` });
        }
      }

      // Uses of harness functions (imports of a type:test package, or of a file of its by path).
      for (const stmt of sf.statements) {
        if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier) || !stmt.importClause) continue;
        const spec = stmt.moduleSpecifier.text;
        const target = spec.startsWith('.') ? path.posix.join(path.posix.dirname(file), spec).replace(/\.js$/, '.ts') : undefined;
        const h = harness.find((p) => p.packageName === spec || (target !== undefined && target.startsWith(`${p.root}/`)));
        if (!h || h === project) continue;
        const clause = stmt.importClause;
        const names: string[] = [];
        if (clause.name) names.push('default');
        if (clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
          for (const el of clause.namedBindings.elements) names.push((el.propertyName ?? el.name).text);
        } else if (clause.namedBindings) {
          names.push('*');
        }
        uses.push({ project, file, line: line(stmt), harnessFile: target, names });
      }

      if (isHarness && !isTest) harnessFiles.set(file, harnessFile(sf, file, project, texts, targetsOf));
    }
  }

  // What each exported name of the harness reaches: its statement, the same file's declarations
  // it uses, the harness files it imports or names by path (vitest's globalSetup), transitively.
  const memo = new Map<string, Set<string>>();
  const reach = (file: string, name: string, seen: Set<string>): Set<string> => {
    const key = `${file}#${name}`;
    if (memo.has(key)) return memo.get(key)!;
    if (seen.has(key)) return new Set();
    seen.add(key);
    const hf = harnessFiles.get(file);
    const out = new Set<string>();
    const stmts = !hf ? [] : name === '*' ? hf.statements : [hf.declared.get(name)].filter((s) => s !== undefined);
    for (const s of stmts) {
      s.targets.forEach((t) => out.add(t));
      for (const id of s.used) {
        if (hf!.declared.has(id) && !s.names.includes(id)) reach(file, id, seen).forEach((t) => out.add(t));
        const imported = hf!.imports.get(id);
        if (imported) reach(imported.file, imported.name, seen).forEach((t) => out.add(t));
      }
      for (const f of s.harnessFiles) reach(f, '*', seen).forEach((t) => out.add(t));
    }
    memo.set(key, out);
    return out;
  };
  for (const u of uses) {
    for (const name of u.names) {
      const files = [...harnessFiles].filter(([f, hf]) => (u.harnessFile ? f === u.harnessFile : true) && (name === '*' || hf.exported.has(name)));
      for (const [f] of files) {
        for (const to of reach(f, name === '*' ? '*' : name, new Set())) {
          if (to !== u.project.name)
            harnessRefs.push({ from: u.project.name, to, where: `${u.file}:${u.line}`, what: `uses ${name} of ${f}, which spawns or reads ${rootOf(to)}` });
        }
      }
    }
  }
}

/** The statements of a harness file, with what each names, uses and reaches. */
function harnessFile(sf: ts.SourceFile, file: string, project: Project, texts: Text[], targetsOf: (t: Text) => { to: Project }[]): HarnessFile {
  const hf: HarnessFile = { statements: [], declared: new Map(), imports: new Map(), exported: new Set() };
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt)) {
      const spec = (stmt.moduleSpecifier as ts.StringLiteral).text;
      const bindings = stmt.importClause?.namedBindings;
      if (spec.startsWith('.') && bindings && ts.isNamedImports(bindings)) {
        const from = path.posix.join(path.posix.dirname(file), spec).replace(/\.js$/, '.ts');
        for (const el of bindings.elements) hf.imports.set(el.name.text, { file: from, name: (el.propertyName ?? el.name).text });
      }
      continue;
    }
    const names = declaredNames(stmt);
    const modifiers = ts.canHaveModifiers(stmt) ? (ts.getModifiers(stmt) ?? []) : [];
    const exported = modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault = modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) || ts.isExportAssignment(stmt);
    const s: Statement = { names: isDefault ? [...names, 'default'] : names, used: new Set(), targets: new Set(), harnessFiles: new Set() };
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) s.used.add(n.text);
      // import('./x.js') inside a function: that file is used as a whole.
      if (
        ts.isCallExpression(n) &&
        n.expression.kind === ts.SyntaxKind.ImportKeyword &&
        n.arguments[0] &&
        ts.isStringLiteral(n.arguments[0]) &&
        n.arguments[0].text.startsWith('.')
      ) {
        s.harnessFiles.add(path.posix.join(path.posix.dirname(file), n.arguments[0].text).replace(/\.js$/, '.ts'));
      }
      ts.forEachChild(n, visit);
    };
    visit(stmt);
    for (const t of texts.filter((x) => x.node.pos >= stmt.pos && x.node.end <= stmt.end)) {
      for (const { to } of targetsOf(t)) {
        if (to !== project) s.targets.add(to.name);
      }
      // A path to another file of the harness itself (vitest's globalSetup names global-setup.ts).
      const at = t.text.indexOf(`${project.root}/`);
      if (at >= 0 && !/\s/.test(t.text)) s.harnessFiles.add(t.text.slice(at));
    }
    hf.statements.push(s);
    for (const n of s.names) hf.declared.set(n, s);
    if (exported || isDefault) s.names.forEach((n) => hf.exported.add(n));
  }
  return hf;
}

function declaredNames(stmt: ts.Statement): string[] {
  if (ts.isVariableStatement(stmt)) {
    return stmt.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
  }
  if (
    (ts.isFunctionDeclaration(stmt) ||
      ts.isClassDeclaration(stmt) ||
      ts.isInterfaceDeclaration(stmt) ||
      ts.isTypeAliasDeclaration(stmt) ||
      ts.isEnumDeclaration(stmt)) &&
    stmt.name
  ) {
    return [stmt.name.text];
  }
  return [];
}

/**
 * The string texts of a file: literals, template literals (`${}` for each substitution), and
 * path.join/resolve calls joined with '/' (import.meta.dirname resolved to the file's directory).
 * Module specifiers are left out: imports are Nx's own.
 */
function textsOf(sf: ts.SourceFile, file: string): Text[] {
  const texts: Text[] = [];
  const dir = path.posix.dirname(file);
  const part = (n: ts.Expression): string => {
    if (ts.isStringLiteralLike(n)) return n.text;
    if (n.getText(sf) === 'import.meta.dirname' || n.getText(sf) === '__dirname') return dir;
    return '${}';
  };
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier) return;
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) return;
    if (ts.isStringLiteralLike(n)) texts.push({ text: n.text, node: n, literal: true });
    if (ts.isTemplateExpression(n)) {
      texts.push({ text: n.head.text + n.templateSpans.map((s) => '${}' + s.literal.text).join(''), node: n, literal: false });
    }
    if (ts.isCallExpression(n) && /(^|\.)(join|resolve)$/.test(n.expression.getText(sf)) && n.arguments.length > 1) {
      const parts = n.arguments.map(part);
      if (parts.some((p) => p !== '${}')) {
        const joined = parts.join('/');
        texts.push({ text: parts[0] === dir ? path.posix.normalize(joined) : joined, node: n, literal: false });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return texts;
}

/** Tables named in a file: qualifiedName(schema, 'x'), SQL (FROM x, "${schema}".x) and, outside tests, a literal 'x'. */
function tableNames(sf: ts.SourceFile, texts: Text[], isTest: boolean): { table: string; node: ts.Node }[] {
  const found: { table: string; node: ts.Node }[] = [];
  for (const t of texts) {
    for (const m of t.text.matchAll(/(?:\$\{\}|")\.("?)([a-z_][a-z0-9_]*)\1|\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_][a-z0-9_]*)\b(?!\.)/g)) {
      found.push({ table: (m[2] ?? m[3])!, node: t.node });
    }
    if (t.literal && !isTest && /^[a-z_][a-z0-9_]*$/.test(t.text)) found.push({ table: t.text, node: t.node });
  }
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && /qualifiedName$/.test(n.expression.getText(sf)) && n.arguments[1] && ts.isStringLiteralLike(n.arguments[1])) {
      found.push({ table: n.arguments[1].text, node: n });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** table → the projects whose migrations/*.sql create it. */
function tableOwners(): Map<string, Project[]> {
  const owners = new Map<string, Project[]>();
  for (const p of projects) {
    const dir = path.join(root, p.root, 'migrations');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.sql'))) {
      const sql = readFileSync(path.join(dir, f), 'utf8');
      for (const m of sql.matchAll(/\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW|MATERIALIZED\s+VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"?\w+"?\.)?"?(\w+)"?/gi)) {
        const table = m[1]!;
        owners.set(table, [...new Set([...(owners.get(table) ?? []), p])]);
      }
    }
  }
  return owners;
}

/** A project's source files (TypeScript and JavaScript, outside node_modules/ and dist/), relative to the root. */
function sourceFiles(projectRoot: string): string[] {
  return readdirSync(path.join(root, projectRoot), { recursive: true })
    .map((f) => `${projectRoot}/${String(f).split(path.sep).join('/')}`)
    .filter((f) => /\.[mc]?[jt]s$/.test(f) && !/\.d\.[mc]?ts$/.test(f) && !/\/(node_modules|dist)\//.test(f));
}
