/**
 * Where the default-settling sweeps (hedge-percentile, peak-ewma-decay, limiter-sweep) leave their
 * results besides the printed table: `docs/img/sim/<name>.json`, the cells of that run with the
 * date, commit, command and load average, from which `sweep-chart.ts` draws
 * `docs/img/sim/<name>.svg` — so the chart in docs/sim.md comes from the same run as its table.
 * HEADROOM_BENCH_SWEEP_DIR writes them elsewhere; `HEADROOM_BENCH_SWEEP_DIR=` (empty) not at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';

/** The repository's root (this file is packages/headroom/bench/sim/). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

/** Where the sweeps write their JSON and SVG, or `undefined` when told not to. */
export function sweepDir(): string | undefined {
  const dir = process.env['HEADROOM_BENCH_SWEEP_DIR'];
  if (dir === '') return undefined;
  return dir ?? join(REPO_ROOT, 'docs/img/sim');
}

/** What a sweep's JSON says about the run that made it. */
export interface SweepRun {
  /** The command that reproduces it, e.g. `npm run bench -- sim/hedge-percentile`. */
  readonly command: string;
  /** ISO date and time at the end of the run. */
  readonly date: string;
  /** `git rev-parse --short HEAD` when it ran (`unknown` outside a checkout). */
  readonly commit: string;
  readonly node: string;
  /** 1-minute load average at the start and at the end (virtual time: the figures do not depend on it). */
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly wallSeconds: number;
  readonly seeds: number;
}

/** A sweep's file: the run and its cells (one object per table cell, shaped by the sweep). */
export interface SweepFile<Cell> {
  readonly run: SweepRun;
  readonly cells: readonly Cell[];
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Starts timing a sweep; `finish` builds its run record. */
export function startSweep(command: string, seeds: number): { finish: () => SweepRun } {
  const loadStart = loadavg()[0]!;
  const t0 = performance.now();
  return {
    finish: () => ({
      command,
      date: new Date().toISOString().slice(0, 16) + 'Z',
      commit: commit(),
      node: process.version,
      loadStart: Math.round(loadStart * 10) / 10,
      loadEnd: Math.round(loadavg()[0]! * 10) / 10,
      wallSeconds: Math.round((performance.now() - t0) / 1000),
      seeds,
    }),
  };
}

/** A path relative to the repository when it is inside it. */
export function repoPath(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel.startsWith('..') ? path : rel;
}

/** Writes `<dir>/<name>.json`; returns its path (relative to the repository), or `undefined` when told not to write. */
export function writeSweep<Cell>(name: string, file: SweepFile<Cell>): string | undefined {
  const dir = sweepDir();
  if (dir === undefined) return undefined;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(file, null, 1) + '\n');
  return repoPath(path);
}
