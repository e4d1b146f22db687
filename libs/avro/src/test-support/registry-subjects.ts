// For *.int.spec.ts only (excluded from the build): unique entity types per run, removed (soft,
// then permanent) afterwards. Refuses to touch anything but entity.itest_* subjects.
import { randomUUID } from 'node:crypto';
import { stackEndpoints } from '@ingest-mesh/testing';

export const REGISTRY_URL = stackEndpoints().SCHEMA_REGISTRY_URL;

export function uniqueEntityType(label: string): string {
  return `itest_${label}_${randomUUID().replaceAll('-', '')}`;
}

async function del(url: string): Promise<void> {
  const res = await fetch(url, { method: 'DELETE' });
  // 404: already gone (or never created) — fine for cleanup.
  if (!res.ok && res.status !== 404) throw new Error(`DELETE ${url} answered ${res.status}: ${await res.text()}`);
}

export async function deleteSubjects(subjects: readonly string[]): Promise<void> {
  for (const subject of subjects) {
    if (!subject.startsWith('entity.itest_')) throw new Error(`refusing to delete ${subject}: not a test subject`);
    const base = `${REGISTRY_URL}/subjects/${encodeURIComponent(subject)}`;
    await del(base);
    await del(`${base}?permanent=true`);
  }
}
