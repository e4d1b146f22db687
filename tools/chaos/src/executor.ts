// Runs the fault schedule against the live processes: app kills fire on time (the supervisor
// brings the app back after its down time); infrastructure outages run one after another — the
// next waits until the previous component is healthy again, however long its restart took.
import type { ChaosStack } from './chaos-stack.js';
import { describeEvent, isApp, type ChaosEvent, type InfraName } from './schedule.js';
import type { Supervised } from './supervisor.js';

export interface FaultLog {
  event: ChaosEvent;
  /** When it really happened (ms after the start) and when the component was back. */
  firedAt: number;
  backAt?: number;
  error?: string;
}

export async function runSchedule(
  events: readonly ChaosEvent[],
  stack: ChaosStack,
  apps: Map<string, Supervised>,
  startedAt: number,
  log: (line: string) => void,
): Promise<FaultLog[]> {
  const done: FaultLog[] = [];
  let infraChain = Promise.resolve();
  const timers: Promise<void>[] = events.map(
    (event) =>
      new Promise<void>((resolve) => {
        setTimeout(
          () => {
            if (isApp(event.target)) {
              const app = apps.get(event.target);
              log(`fault: ${describeEvent(event)}`);
              app?.kill(event.downMs);
              done.push({ event, firedAt: Date.now() - startedAt });
              resolve();
              return;
            }
            const target = event.target;
            infraChain = infraChain.then(async () => {
              const entry: FaultLog = { event, firedAt: Date.now() - startedAt };
              done.push(entry);
              log(`fault: ${describeEvent(event)} (fired at t+${(entry.firedAt / 1000).toFixed(1)}s)`);
              try {
                await outage(stack, target, event);
                entry.backAt = Date.now() - startedAt;
                log(`fault: ${target} healthy again at t+${(entry.backAt / 1000).toFixed(1)}s`);
              } catch (err) {
                entry.error = (err as Error).message;
                log(`fault: ${target} did not come back: ${entry.error}`);
              }
              resolve();
            });
          },
          Math.max(0, startedAt + event.at - Date.now()),
        );
      }),
  );
  await Promise.all(timers);
  await infraChain;
  return done;
}

async function outage(stack: ChaosStack, target: InfraName, event: ChaosEvent): Promise<void> {
  if (event.how === 'sigkill') stack.kill(target);
  else await stack.down(target);
  await new Promise((r) => setTimeout(r, event.downMs));
  await stack.up(target);
}
