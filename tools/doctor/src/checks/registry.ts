// Every schema of schemas/ present in the registry under its subject and compatible with what is
// there: entity.* (schemas/entities), mesh.SinkRecord, mesh.RawEnvelope, mesh.control-value
// (ControlCommand), mesh.events-value (MeshEvent). Confluent-compatible API, plain HTTP.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readSchemaFiles } from '@ingest-mesh/avro';
import { fail, pass, reason, withTimeout, type CheckRow } from './types.js';

const TOPIC_SCHEMAS: Record<string, string> = {
  'mesh.control-value': 'mesh/ControlCommand.avsc',
  'mesh.events-value': 'mesh/MeshEvent.avsc',
};

export interface LocalSchema {
  subject: string;
  schema: string;
}

export async function localSchemas(dir: string): Promise<LocalSchema[]> {
  const files = (await readSchemaFiles(dir)).map((f) => ({ subject: f.subject, schema: f.schema }));
  for (const [subject, rel] of Object.entries(TOPIC_SCHEMAS)) {
    files.push({ subject, schema: JSON.stringify(JSON.parse(await readFile(path.join(dir, rel), 'utf8'))) });
  }
  return files;
}

export async function checkRegistry(url: string, schemasDir: string, timeoutMs: number): Promise<CheckRow[]> {
  const base = url.replace(/\/+$/, '');
  let schemas: LocalSchema[];
  try {
    schemas = await localSchemas(schemasDir);
  } catch (err) {
    return [fail('registry', schemasDir, `cannot read the local schemas: ${reason(err)}`)];
  }
  try {
    await withTimeout(call(`${base}/subjects`), timeoutMs, `GET ${base}/subjects`);
  } catch (err) {
    return [fail('registry', 'reachable', `${base}: ${reason(err)}`)];
  }
  const rows: CheckRow[] = [pass('registry', 'reachable', base)];
  for (const s of schemas) rows.push(await checkSubject(base, s, timeoutMs).catch((err) => fail('registry', s.subject, reason(err))));
  return rows;
}

async function checkSubject(base: string, s: LocalSchema, timeoutMs: number): Promise<CheckRow> {
  const subject = encodeURIComponent(s.subject);
  const latest = await withTimeout(call(`${base}/subjects/${subject}/versions/latest`), timeoutMs, s.subject);
  if (latest.status === 404) return fail('registry', s.subject, 'subject missing (register: tools/schemas/register.ts, or start the app that owns it)');
  const found = await withTimeout(call(`${base}/subjects/${subject}`, { schema: s.schema }), timeoutMs, s.subject);
  const version = (latest.body as { version?: number }).version;
  if (found.status === 200) {
    const v = found.body as { version?: number; id?: number };
    return pass('registry', s.subject, `local schema is v${v.version} (id ${v.id}); latest v${version}`);
  }
  const compat = await withTimeout(call(`${base}/compatibility/subjects/${subject}/versions/latest`, { schema: s.schema }), timeoutMs, s.subject);
  if ((compat.body as { is_compatible?: boolean }).is_compatible === true)
    return pass('registry', s.subject, `local schema not registered yet; compatible with v${version}`);
  return fail('registry', s.subject, `local schema is NOT compatible with v${version}: ${JSON.stringify(compat.body).slice(0, 160)}`);
}

async function call(url: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 500) throw new Error(`HTTP ${res.status}: ${text.slice(0, 120)}`);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body: parsed };
}
