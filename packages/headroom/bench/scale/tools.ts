/**
 * The load generators the scale benches compare, each run as its own process at its recommended
 * settings, against a server process: headroom (`headroom scale run`, from the sources), autocannon
 * (the devDependency's CLI, `--json`) and wrk (Debian's `wrk`, `--latency`). Each returns requests
 * per second and latency percentiles in ms as the tool itself reported them, the CPU time its
 * process used (user + system, from GNU time, start-up included) and the requests it sent. headroom runs as
 * users run it, the built command (`npm run build` first, once per bench process).
 *
 * Two servers answer "ok" at once: a Node process (server.child.ts) and, when Debian's nginx is
 * installed (`apt-get install -y nginx-light`), one nginx worker process — native, several times
 * cheaper per request, so the generators rather than the server set the ceiling.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What one generator run reported. */
export interface ToolRun {
  readonly perSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU time of the generator's process (user + system, start-up included), s; NaN without GNU time. */
  readonly cpuSec: number;
  /** Requests it sent. */
  readonly requests: number;
}

/** The server for a bench: its URL and how to stop it. */
export interface BenchServer {
  readonly url: string;
  readonly stop: () => Promise<void>;
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
    createInterface({ input: proc.stdout! }).once('line', (port) =>
      resolve({ url: `http://127.0.0.1:${port.trim()}/`, stop: () => stopProcess(proc) }),
    );
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** The nginx binary's path, or null when nginx is not installed. */
export function nginxPath(): Promise<string | null> {
  return new Promise((resolve) => execFile('sh', ['-c', 'command -v nginx'], (error, out) => resolve(error ? null : out.trim() || null)));
}

/**
 * Starts one nginx process (no master, one worker's work, access log off, keep-alive without a
 * request limit) answering `ok` on a free loopback port, its files in a temp dir removed on stop.
 */
export async function startNginx(nginx: string): Promise<BenchServer> {
  const dir = await mkdtemp(join(tmpdir(), 'hr-bench-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(dir, t)};`).join(' ');
  await writeFile(
    conf,
    `daemon off; master_process off; worker_processes 1; pid ${join(dir, 'nginx.pid')}; error_log stderr;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000000; keepalive_timeout 60s; ${temp}
  server { listen 127.0.0.1:${port}; location / { return 200 'ok'; } } }
`,
  );
  const proc = spawn(nginx, ['-p', dir, '-c', conf, '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const stop = async (): Promise<void> => {
    await stopProcess(proc);
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) break;
    if (await accepts(port)) return { url: `http://127.0.0.1:${port}/`, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`nginx did not start on port ${port}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill();
  });
}

function run(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

let gnuTime: Promise<boolean> | null = null;

/**
 * Runs a generator under GNU time (`/usr/bin/time -f '%U %S'`) when it is installed: its output,
 * and the CPU seconds (user + system) its process used — NaN without GNU time.
 */
async function timed(file: string, args: readonly string[], timeoutMs: number): Promise<{ out: string; cpuSec: number }> {
  gnuTime ??= run('/usr/bin/time', ['-f', '%U', 'true'], 10_000).then(
    () => true,
    () => false,
  );
  if (!(await gnuTime)) return { out: await run(file, args, timeoutMs), cpuSec: Number.NaN };
  const dir = await mkdtemp(join(tmpdir(), 'hr-bench-time-'));
  try {
    const file_ = join(dir, 'cpu');
    const out = await run('/usr/bin/time', ['-f', '%U %S', '-o', file_, file, ...args], timeoutMs);
    const [user, system] = (await readFile(file_, 'utf8')).trim().split(/\s+/).map(Number);
    return { out, cpuSec: (user ?? Number.NaN) + (system ?? Number.NaN) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
  const { out, cpuSec } = await timed(
    process.execPath,
    [BIN, 'scale', 'run', url, ...how, '--duration', `${load.seconds}s`, '--workers', String(workers), '--json'],
    (load.seconds + 60) * 1000,
  );
  const r = JSON.parse(out) as { throughputPerSec: number; sent: number; latencyMs: { p50: number; p99: number } };
  return { perSec: r.throughputPerSec, p50Ms: r.latencyMs.p50, p99Ms: r.latencyMs.p99, cpuSec, requests: r.sent };
}

/** autocannon at its defaults (1 request per connection, no pipelining, one thread). Its latencies are whole milliseconds. */
export async function autocannon(url: string, load: Load): Promise<ToolRun> {
  const require = createRequire(import.meta.url);
  const bin = require.resolve('autocannon/autocannon.js');
  const { out, cpuSec } = await timed(
    process.execPath,
    [bin, '-c', String(load.concurrency), '-d', String(load.seconds), '--json', url],
    (load.seconds + 60) * 1000,
  );
  const r = JSON.parse(out) as { requests: { average: number; total: number }; duration: number; latency: { p50: number; p99: number } };
  return {
    perSec: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    cpuSec,
    requests: r.requests.total,
  };
}

/** wrk with one thread per core (2 here) and `--latency`. */
export async function wrk(url: string, load: Load): Promise<ToolRun> {
  const { out, cpuSec } = await timed(
    'wrk',
    ['-t', String(Math.min(2, load.concurrency)), '-c', String(load.concurrency), '-d', `${load.seconds}s`, '--latency', url],
    (load.seconds + 60) * 1000,
  );
  const perSec = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const total = Number(/(\d+) requests in/.exec(out)?.[1]);
  return { perSec, p50Ms: wrkPercentile(out, '50'), p99Ms: wrkPercentile(out, '99'), cpuSec, requests: total };
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
