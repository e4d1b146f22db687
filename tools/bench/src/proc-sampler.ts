// CPU and memory of the apps under load, read from /proc (Linux): CPU time used between start()
// and stop() as a share of one core, and the highest resident set size seen while sampling.
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on Linux everywhere in practice). */
const TICKS_PER_SECOND = 100;

export interface ProcUsage {
  /** CPU time over wall time: 1.0 = one core busy the whole phase. */
  cpuCores: number;
  maxRssMb: number;
}

export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
}

export function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

export class ProcSampler {
  private readonly startTicks = new Map<string, number>();
  private readonly maxRss = new Map<string, number>();
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: ReadonlyMap<string, number>) {}

  start(everyMs = 250): void {
    this.startedAt = Date.now();
    for (const [name, pid] of this.pids) {
      this.startTicks.set(name, cpuTicks(pid));
      this.maxRss.set(name, rssMb(pid));
    }
    this.timer = setInterval(() => {
      for (const [name, pid] of this.pids) {
        try {
          this.maxRss.set(name, Math.max(this.maxRss.get(name) ?? 0, rssMb(pid)));
        } catch {
          // the process ended: keep what was seen
        }
      }
    }, everyMs);
  }

  stop(): Map<string, ProcUsage> {
    clearInterval(this.timer);
    const seconds = (Date.now() - this.startedAt) / 1000;
    const usage = new Map<string, ProcUsage>();
    for (const [name, pid] of this.pids) {
      const ticks = cpuTicks(pid) - (this.startTicks.get(name) ?? 0);
      usage.set(name, { cpuCores: seconds > 0 ? ticks / TICKS_PER_SECOND / seconds : 0, maxRssMb: Math.max(this.maxRss.get(name) ?? 0, rssMb(pid)) });
    }
    return usage;
  }
}
