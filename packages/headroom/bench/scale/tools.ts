/**
 * The load generators the scale benches compare, each run as its own process at its recommended
 * settings, against a server process: headroom (`headroom scale run`, from the sources), autocannon
 * (the devDependency's CLI, `--json`) and wrk (Debian's `wrk`, `--latency`). Each returns requests
 * per second and latency percentiles in ms as the tool itself reported them. headroom runs as
 * users run it, the built command (`npm run build` first, once per bench process).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What one generator run reported. */
export interface ToolRun {
  readonly perSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** The server for a bench: its port and how to stop it. */
export interface BenchServer {
  readonly url: string;
  readonly proc: ChildProcess;
}

const TSX = ['--conditions=headroom-source', '--import', 'tsx'];
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The built command, as users run it (worker threads from the sources would compile TypeScript while they load). */
const BIN = fileURLToPath(new URL('../../../cli/bin/headroom.js', import.meta.url));
let built: Promise<string> | null = null;

/** Builds both packages once per bench process, so the command measured is the current sources'. */
function ensureBuilt(): Promise<string> {
  built ??= run('npm', ['run', 'build', '--prefix', ROOT], 600_000);
  return built;
}

/** Starts server.child.ts (`stall` for the stalling one). */
export function startServer(mode: 'instant' | 'stall'): Promise<BenchServer> {
  const proc = spawn(process.execPath, [...TSX, fileURLToPath(new URL('./server.child.ts', import.meta.url)), mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', (port) => resolve({ url: `http://127.0.0.1:${port.trim()}/`, proc }));
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function run(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

/** How a generator is asked for load. */
export type Load =
  | { readonly concurrency: number; readonly seconds: number }
  | { readonly ratePerSec: number; readonly seconds: number; readonly concurrency: number };

/** headroom scale run: closed loop at a concurrency, or open loop at a rate (with `concurrency` connections); `workers` threads. */
export async function headroom(url: string, load: Load, workers: number): Promise<ToolRun> {
  const how =
    'ratePerSec' in load
      ? ['--rate', String(load.ratePerSec), '--connections', String(load.concurrency)]
      : ['--concurrency', String(load.concurrency)];
  await ensureBuilt();
  const out = await run(
    process.execPath,
    [BIN, 'scale', 'run', url, ...how, '--duration', `${load.seconds}s`, '--workers', String(workers), '--json'],
    (load.seconds + 60) * 1000,
  );
  const r = JSON.parse(out) as { throughputPerSec: number; latencyMs: { p50: number; p99: number } };
  return { perSec: r.throughputPerSec, p50Ms: r.latencyMs.p50, p99Ms: r.latencyMs.p99 };
}

/** autocannon at its defaults (1 request per connection, no pipelining, one thread). Its latencies are whole milliseconds. */
export async function autocannon(url: string, load: Load): Promise<ToolRun> {
  const require = createRequire(import.meta.url);
  const bin = require.resolve('autocannon/autocannon.js');
  const out = await run(
    process.execPath,
    [bin, '-c', String(load.concurrency), '-d', String(load.seconds), '--json', url],
    (load.seconds + 60) * 1000,
  );
  const r = JSON.parse(out) as { requests: { average: number; total: number }; duration: number; latency: { p50: number; p99: number } };
  return { perSec: r.requests.total / r.duration, p50Ms: r.latency.p50, p99Ms: r.latency.p99 };
}

/** wrk with one thread per core (2 here) and `--latency`. */
export async function wrk(url: string, load: Load): Promise<ToolRun> {
  const out = await run(
    'wrk',
    ['-t', String(Math.min(2, load.concurrency)), '-c', String(load.concurrency), '-d', `${load.seconds}s`, '--latency', url],
    (load.seconds + 60) * 1000,
  );
  const perSec = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  return { perSec, p50Ms: wrkPercentile(out, '50'), p99Ms: wrkPercentile(out, '99') };
}

/** True when wrk is installed (`wrk --version` prints its usage and exits 1; a missing one cannot start). */
export function hasWrk(): Promise<boolean> {
  return new Promise((resolve) => execFile('wrk', ['--version'], (error) => resolve(error === null || typeof error.code === 'number')));
}

function wrkPercentile(out: string, p: string): number {
  const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
  if (m === null) return Number.NaN;
  const unit = { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'];
  return Number(m[1]) * unit;
}

/** min–max of a list, with `digits` significant digits. */
export function range(values: readonly number[], digits = 3): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return `${lo.toPrecision(digits)}–${hi.toPrecision(digits)}`;
}
