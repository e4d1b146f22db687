// For tests and tools that run the mesh's apps as processes of their own: stop one the way an
// orchestrator does, and clean up the consumer groups a killed one leaves behind.
import type { ChildProcess } from 'node:child_process';

/**
 * The two admin calls deleteGroupsByPrefix makes, as @ingest-mesh/kafka-client's Admin has them
 * (not imported: kafka-client's own tests use this harness).
 */
export interface GroupAdmin {
  listGroups(): Promise<{ groups: { groupId: string }[] }>;
  deleteGroups(groupIds: string[]): Promise<void>;
}

/** `signal` (default SIGTERM: the app finishes and commits), then SIGKILL if it has not exited within graceMs. */
export async function stopChild(child: ChildProcess, opts: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(opts.signal ?? 'SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.graceMs ?? 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Deletes the consumer groups whose id starts with one of `prefixes`. A SIGKILLed member stays in
 * its groups until its session times out (the broker refuses to delete a non-empty group), so
 * refused deletions are retried every 2 s for up to timeoutMs.
 */
export async function deleteGroupsByPrefix(admin: GroupAdmin, prefixes: readonly string[], timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => prefixes.some((p) => g.startsWith(p)));
    const failed =
      groups.length === 0
        ? []
        : await admin.deleteGroups(groups).then(
            () => [],
            (err: { groups?: unknown[] }) => err.groups ?? groups,
          );
    if (failed.length === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** Collects what a child prints (stdout and stderr), keeping the last `max` chunks, for failure messages. */
export function keepOutput(child: ChildProcess, max = 200, into: string[] = []): string[] {
  const keep = (chunk: Buffer) => {
    into.push(chunk.toString('utf8'));
    if (into.length > max) into.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return into;
}
