/** CPU time of the lab's processes: its own, and a replica's by pid. */
import { readFileSync } from 'node:fs';

/** CPU time this process has used so far (user + system, every thread), ms. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * CPU time of process `pid` so far, ms, from /proc/<pid>/stat (utime + stime, fields 14 and 15, in
 * clock ticks of 10 ms — USER_HZ is 100 on every Linux architecture Node supports); null elsewhere.
 */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
