/**
 * `headroom lab` as a person meets it: bad input gives one line and a non-zero exit; Ctrl-C and a
 * dead replica stop everything and leave no process, port or temporary file behind; PostgreSQL
 * and the Redis tier work and are cleaned up afterwards.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { type Server, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import type { LabReport } from '../../src/lab/report/types.js';
import { commandArgs, shareCompileCache } from '../command.js';

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
  shareCompileCache(join(tmp, 't'));
  const child = spawn(process.execPath, commandArgs('lab', ...args), { env: { ...process.env, TMPDIR: join(tmp, 't') } });
  const run: Run = {
    child,
    tmp,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    run.stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    run.stderr += d;
  });
  return run;
}

/** Files the lab left in its TMPDIR (tsx's compile cache excepted). */
function leftovers(run: Run): string[] {
  return readdirSync(join(run.tmp, 't')).filter((name) => !name.startsWith('tsx-'));
}

/**
 * Resolves once the lab's stderr matches `pattern`. Only a line to wait for, so the limit is
 * generous: 90 s (30 s was once too short at load 23); it gives up early once the lab's stderr ended.
 */
async function untilStderr(run: Run, pattern: RegExp, ms = 90_000): Promise<RegExpMatchArray> {
  const deadline = performance.now() + ms;
  for (;;) {
    const ended = run.child.stderr!.readableEnded; // read before matching: nothing can follow
    const match = pattern.exec(run.stderr);
    if (match !== null) return match;
    if (ended || performance.now() > deadline) {
      throw new Error(`stderr never matched ${pattern} (${ended ? 'the lab closed it' : `within ${ms} ms`}):\n${run.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function replicas(run: Run): { pid: number; port: number }[] {
  return [...run.stderr.matchAll(/127\.0\.0\.1:(\d+) \(pid (\d+)\)/g)].map((m) => ({ port: Number(m[1]), pid: Number(m[2]) }));
}

/** Whether `pid` has exited (no such process, or a zombie its new parent has not reaped yet). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') === true;
  } catch {
    return true;
  }
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
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
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

test('a lab killed with SIGKILL leaves no replica running: each exits when its parent goes', async () => {
  const run = lab('--scenario', 'cache', '--duration', '30s', '--products', '5000', '--no-report');
  await untilStderr(run, /replicas listening on/);
  const started = replicas(run);
  assert.equal(started.length, 3);
  run.child.kill('SIGKILL');
  await run.exited;
  // A replica checks its parent every 250 ms; a busy machine may take a few seconds to run it (up
  // to 60 s allowed). Its port closes once the whole process is gone: /proc shows the main thread
  // a zombie while the others still exit (seen twice alone at load 7-10: "gone", port still open).
  const deadline = performance.now() + 60_000;
  const ended = async (r: { pid: number; port: number }): Promise<boolean> => gone(r.pid) && !(await portOpen(r.port));
  while (performance.now() < deadline && (await Promise.all(started.map(ended))).includes(false)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const r of started) {
    assert.equal(gone(r.pid), true, `replica pid ${r.pid} outlived the killed lab`);
    assert.equal(await portOpen(r.port), false, `port ${r.port} still open`);
  }
});

test('PostgreSQL as the store and the Redis tier under the caches: both used, both cleaned up afterwards', async () => {
  const run = lab(
    '--store',
    'postgres://127.0.0.1:5432/test',
    '--redis',
    'redis://127.0.0.1:6379',
    '--scenario',
    'hot-key',
    '--duration',
    '2s', // 800 ms once gave a phase no answered request (alone, load 7-10)
    '--warmup',
    '200ms',
    '--products',
    '5000',
    '--json',
    '--no-report',
  );
  const { code } = await run.exited;
  assert.equal(code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as LabReport;
  assert.equal(report.settings.store, 'postgres');
  assert.equal(report.settings.redis, true);
  assert.match(run.stderr, /Redis tier/);
  const [aside, singleFlight] = report.scenarios[0]!.phases;
  assert.ok(
    aside!.ok > 0 && singleFlight!.ok > 0,
    `answered ${aside!.ok} of ${aside!.sent}, ${singleFlight!.ok} of ${singleFlight!.sent}: ${JSON.stringify([aside!.errors, singleFlight!.errors])}`,
  );
  // With the shared tier, a missing key is loaded by the one replica holding its lease.
  assert.ok(singleFlight!.hotKeyQueries < aside!.hotKeyQueries, `hot-key queries ${aside!.hotKeyQueries} → ${singleFlight!.hotKeyQueries}`);
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await client.connect();
  const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE $1', [
    `headroom_lab_${run.child.pid}_%`,
  ]);
  await client.end();
  assert.equal(rows[0].n, 0, 'the lab table was dropped');
  const redis = createClient({ url: 'redis://127.0.0.1:6379' });
  await redis.connect();
  const keys: string[] = [];
  for (const pattern of [`headroom-lab:${run.child.pid}_*`, `{headroom-lab:${run.child.pid}_*`]) {
    for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch);
  }
  redis.destroy();
  assert.deepEqual(keys, [], "the run's Redis keys were deleted");
  assert.deepEqual(leftovers(run), []);
});

test('an unwritable --report is refused before anything runs', async () => {
  const run = lab(
    '--report',
    '/nonexistent-headroom-dir/report.html',
    '--scenario',
    'stalls',
    '--duration',
    '300ms',
    '--interval',
    '100ms',
    '--products',
    '1000',
  );
  const { code } = await run.exited;
  assert.equal(code, 1, run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(
    lines[0]!,
    /^headroom: Invalid option --report: got "\/nonexistent-headroom-dir\/report\.html"; use a file this user can write \(ENOENT/,
  );
  assert.deepEqual(leftovers(run), []);
});

test('a report that cannot be written at the end still leaves the tables on stdout, then exits 1', async () => {
  const out = mkdtempSync(join(tmpdir(), 'headroom-lab-out-'));
  made.push(out);
  const reportPath = join(out, 'sub', 'report.html');
  mkdirSync(join(out, 'sub'));
  const run = lab(
    '--report',
    reportPath,
    '--scenario',
    'stalls',
    '--duration',
    '400ms',
    '--warmup',
    '100ms',
    '--interval',
    '100ms',
    '--products',
    '1000',
  );
  await untilStderr(run, /replicas listening on/);
  rmSync(join(out, 'sub'), { recursive: true, force: true });
  const { code } = await run.exited;
  assert.equal(code, 1, run.stderr);
  assert.match(run.stdout, /stalls — 1% of requests stall/);
  assert.match(run.stdout, /no hedging .*\n.*hedging/);
  assert.match(run.stderr, /headroom: could not write the HTML report to .*report\.html \(ENOENT/);
});

test('Ctrl-C after a phase: the completed phases are printed and written to a partial report, exit 130', async () => {
  const out = mkdtempSync(join(tmpdir(), 'headroom-lab-out-'));
  made.push(out);
  const reportPath = join(out, 'partial.html');
  const run = lab(
    '--scenario',
    'stalls,overload',
    '--duration',
    '600ms',
    '--warmup',
    '100ms',
    '--interval',
    '200ms',
    '--products',
    '1000',
    '--report',
    reportPath,
  );
  await untilStderr(run, /\[1\/4\] stalls · no hedging: \d+ ok\/s/);
  run.child.kill('SIGINT');
  const { code } = await run.exited;
  assert.equal(code, 130, run.stderr);
  assert.match(run.stderr, /Interrupted by SIGINT; every replica was stopped and temporary files removed/);
  assert.match(run.stdout, /Interrupted by SIGINT after \d of 4 phases; the completed phases:/);
  assert.match(run.stdout, /stalls — 1% of requests stall\n.*\n.*\n.*\nno hedging .*\n→ interrupted before hedging; nothing to compare/);
  assert.doesNotMatch(run.stdout, /overload — /, 'a scenario with no completed phase is left out');
  const html = readFileSync(reportPath, 'utf8');
  assert.match(html, /Interrupted by SIGINT after \d of 4 phases/);
  assert.match(html, /<td>no hedging<\/td>/);
  assert.deepEqual(leftovers(run), []);
});

test('--json writes no HTML report unless --report is given, and then says where', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'headroom-lab-cwd-'));
  made.push(cwd);
  const runIn = (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        commandArgs(
          'lab',
          '--scenario',
          'stalls',
          '--duration',
          '300ms',
          '--warmup',
          '0ms',
          '--interval',
          '100ms',
          '--products',
          '1000',
          '--json',
          ...args,
        ),
        { cwd, env: { ...process.env, TMPDIR: cwd } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  const plain = await runIn();
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal((JSON.parse(plain.stdout) as LabReport).scenarios.length, 1);
  assert.deepEqual(
    readdirSync(cwd).filter((name) => !name.startsWith('tsx-')),
    [],
    'no lab-report.html appeared',
  );
  assert.doesNotMatch(plain.stderr, /HTML report/);
  const asked = await runIn('--report', 'asked.html');
  assert.equal(asked.code, 0, asked.stderr);
  assert.ok(existsSync(join(cwd, 'asked.html')));
  assert.ok(asked.stderr.includes(`HTML report: ${join(cwd, 'asked.html')}`), asked.stderr);
});

test('a port this user may not open is reported as such, not as "already in use"', async () => {
  // Ports below net.ipv4.ip_unprivileged_port_start need privileges; root has them, so run as nobody.
  const tmp = mkdtempSync(join(tmpdir(), 'headroom-lab-nobody-'));
  made.push(tmp);
  chmodSync(tmp, 0o777);
  const privileged = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  assert.ok(privileged > 80, `this kernel lets anyone open port 80 (ip_unprivileged_port_start ${privileged})`);
  const r = spawnSync(process.execPath, commandArgs('lab', '--base-port', '80', '--no-report', '--products', '1000'), {
    uid: 65534,
    gid: 65534,
    env: { ...process.env, TMPDIR: tmp, HOME: tmp },
    encoding: 'utf8',
  });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /already in use/);
  assert.match(
    r.stderr,
    /^headroom: Invalid option --base-port: got 80; this user may not listen on port 80 of 127\.0\.0\.1 \(EACCES: ports below 1024 need root or CAP_NET_BIND_SERVICE\)/,
  );
});
