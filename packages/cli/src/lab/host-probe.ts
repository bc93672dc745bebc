/**
 * How fast the machine ran a fixed piece of CPU work, at the start and the end of a lab run: the
 * load average says how many processes wanted a CPU, not how fast one ran, and on a shared host
 * the same code runs a third slower at some hours than at others. Two runs whose results differ
 * can then be told apart by the host they ran on, not only by their load.
 */
import { readFileSync } from 'node:fs';
import type { Clock } from 'headroom';
import { ownCpuMs } from './cpu-time.js';

/** One timing of the probe's work, the least of a few repetitions. */
export interface HostProbe {
  /** CPU time of the thread that ran the work, ms (of the whole process where Linux's per-thread figure is not to be had): how fast a CPU ran it while it had one. */
  readonly cpuMs: number;
  /** Wall time of the work, ms: above `cpuMs` when other work held the CPU. */
  readonly wallMs: number;
}

/** Repetitions per probe; the least time of each kind is kept. */
const REPEATS = 3;
/** Values sorted by one repetition: 6.4 MB, past the smaller caches, as the lab's processes are; about 90 ms, so the thread's CPU clock, which Linux advances a scheduler tick (4 ms here) at a time, is read to within 5%. */
const VALUES = 800_000;

/**
 * Times a fixed piece of work {@link REPEATS} times — integer mixing into a Float64Array, then a
 * sort of it (about 90–110 ms on this project's 2-core machine) — and returns the least CPU time and
 * the least wall time. Runs on the calling thread and blocks it; call it outside measured phases.
 */
export function probeHost(clock: Clock): HostProbe {
  let cpuMs = Infinity;
  let wallMs = Infinity;
  const values = new Float64Array(VALUES);
  for (let r = 0; r < REPEATS; r++) {
    const cpu0 = threadCpuMs();
    const t0 = clock.now();
    let x = 0x9e3779b9 | 0;
    for (let i = 0; i < VALUES; i++) {
      x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d);
      x = Math.imul(x ^ (x >>> 12), 0x297a2d39) ^ i;
      values[i] = (x >>> 0) / 4294967296;
    }
    values.sort();
    const wall = clock.now() - t0;
    cpuMs = Math.min(cpuMs, threadCpuMs() - cpu0);
    wallMs = Math.min(wallMs, wall);
  }
  return { cpuMs: round2(cpuMs), wallMs: round2(wallMs) };
}

/**
 * CPU time of the calling thread so far, ms: Linux's `/proc/thread-self/schedstat` (its first
 * field, ns), which other threads of the process (the lab's, the GC's helpers) do not add to;
 * elsewhere the process's user + system time.
 */
function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return ownCpuMs();
  }
}

function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}
