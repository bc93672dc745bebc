/**
 * `headroom lab` as a person meets it: bad input gives one line and a non-zero exit; Ctrl-C and a
 * dead replica stop everything and leave no process, port or temporary file behind; PostgreSQL
 * and the Redis tier work and are cleaned up afterwards.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { type Server, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import type { LabReport } from '../../src/lab/report/types.js';

interface Run {
  readonly child: ChildProcess;
  readonly tmp: string;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function lab(...args: string[]): Run {
  const tmp = mkdtempSync(join(tmpdir(), 'headroom-lab-cli-'));
  made.push(tmp);
  mkdirSync(join(tmp, 't'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'lab', ...args], { env: { ...process.env, TMPDIR: join(tmp, 't') } });
  const run: Run = {
    child, tmp, stdout: '', stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { run.stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { run.stderr += d; });
  return run;
}

/** Files the lab left in its TMPDIR (tsx's compile cache excepted). */
function leftovers(run: Run): string[] {
  return readdirSync(join(run.tmp, 't')).filter((name) => !name.startsWith('tsx-'));
}

async function untilStderr(run: Run, pattern: RegExp): Promise<RegExpMatchArray> {
  for (let i = 0; i < 600; i++) {
    const match = pattern.exec(run.stderr);
    if (match !== null) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`stderr never matched ${pattern}:\n${run.stderr}`);
}

function replicas(run: Run): { pid: number; port: number }[] {
  return [...run.stderr.matchAll(/127\.0\.0\.1:(\d+) \(pid (\d+)\)/g)].map((m) => ({ port: Number(m[1]), pid: Number(m[2]) }));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

// Unreachable PostgreSQL and the other option checks are covered without a process in stores.test.ts and options.test.ts.
test('bad input: one clear line on stderr, nothing on stdout, exit 1', async () => {
  const busy: Server = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const busyPort = (busy.address() as { port: number }).port;
  const cases: [string[], RegExp][] = [
    [['--scenario', 'nope'], /Unknown scenario "nope"; choose one of: cache, hot-key, slow-replica, stalls, overload/],
    [['--redis', 'redis://127.0.0.1:1'], /Cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/],
    [['--base-port', String(busyPort)], new RegExp(`Port ${busyPort} on 127\\.0\\.0\\.1 is already in use`)],
  ];
  try {
    const runs = cases.map(([args]) => lab(...args, '--products', '1000', '--no-report'));
    for (const [i, run] of runs.entries()) {
      const { code } = await run.exited;
      assert.equal(code, 1, run.stderr);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, /^headroom: /);
      assert.match(lines[0]!, cases[i]![1]);
      assert.deepEqual(leftovers(run), []);
    }
  } finally {
    busy.close();
  }
});

test('Ctrl-C stops every replica, frees their ports, removes temporary files and exits 130', async () => {
  const run = lab('--scenario', 'cache', '--duration', '30s', '--products', '5000', '--no-report');
  await untilStderr(run, /replicas listening on/);
  const started = replicas(run);
  assert.equal(started.length, 3);
  for (const r of started) assert.ok(await portOpen(r.port));
  run.child.kill('SIGINT');
  const { code } = await run.exited;
  assert.equal(code, 130, run.stderr);
  assert.match(run.stderr, /Interrupted by SIGINT; every replica was stopped and temporary files removed/);
  for (const r of started) {
    assert.equal(alive(r.pid), false, `replica pid ${r.pid} still running`);
    assert.equal(await portOpen(r.port), false, `port ${r.port} still open`);
  }
  assert.deepEqual(leftovers(run), []);
});

test('a replica that dies is reported with its cause; the lab stops the rest and exits 1', async () => {
  const run = lab('--scenario', 'cache', '--duration', '30s', '--products', '5000', '--no-report');
  await untilStderr(run, /replicas listening on/);
  const started = replicas(run);
  process.kill(started[1]!.pid, 'SIGKILL');
  const { code } = await run.exited;
  assert.equal(code, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`headroom: Replica 1 \\(pid ${started[1]!.pid}\\) died: killed by SIGKILL\\.`));
  for (const r of started) assert.equal(alive(r.pid), false, `replica pid ${r.pid} still running`);
  assert.deepEqual(leftovers(run), []);
});

test('PostgreSQL as the store and the Redis tier under the caches: both used, both cleaned up afterwards', async () => {
  const run = lab('--store', 'postgres://127.0.0.1:5432/test', '--redis', 'redis://127.0.0.1:6379', '--scenario', 'hot-key',
    '--duration', '800ms', '--warmup', '200ms', '--products', '5000', '--json', '--no-report');
  const { code } = await run.exited;
  assert.equal(code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as LabReport;
  assert.equal(report.settings.store, 'postgres');
  assert.equal(report.settings.redis, true);
  assert.match(run.stderr, /Redis tier/);
  const [aside, singleFlight] = report.scenarios[0]!.phases;
  assert.ok(aside!.ok > 0 && singleFlight!.ok > 0);
  // With the shared tier, a missing key is loaded by the one replica holding its lease.
  assert.ok(singleFlight!.hotKeyQueries < aside!.hotKeyQueries, `hot-key queries ${aside!.hotKeyQueries} → ${singleFlight!.hotKeyQueries}`);
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await client.connect();
  const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE $1", [`headroom_lab_${run.child.pid}_%`]);
  await client.end();
  assert.equal(rows[0].n, 0, 'the lab table was dropped');
  const redis = createClient({ url: 'redis://127.0.0.1:6379' });
  await redis.connect();
  const keys: string[] = [];
  for (const pattern of [`headroom-lab:${run.child.pid}_*`, `{headroom-lab:${run.child.pid}_*`]) {
    for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch);
  }
  redis.destroy();
  assert.deepEqual(keys, [], 'the run\'s Redis keys were deleted');
  assert.deepEqual(leftovers(run), []);
});
