/**
 * Chaos proxy overhead with no toxics (run: `npm run bench -- chaos/proxy`): 100 connections,
 * each in a closed loop sending 1 KiB and waiting for the 1 KiB echo, directly to an echo server
 * and through the chaos proxy (each in its own process). Direct and proxied segments alternate
 * (3 rounds, 2 s each after a warm-up, order rotating), so both see the same machine load; the
 * table gives each segment and the notes the ratio and the added latency per round, with the
 * range over rounds. Goal (#17): ≤ 100 µs added at p50, ≥ 80% of direct throughput.
 *
 * The same over 1 connection shows the cost of the extra hop itself: with 100 connections in a
 * closed loop the three processes saturate the CPUs, so the added latency there is mostly queueing.
 * The proxy's CPU time per round trip (its own `process.cpuUsage`, user + system) is reported too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LatencyHistogram } from '../../src/core/histogram.js';
import { report, type ReportTable } from '../harness.js';

const CONNECTION_COUNTS = [100, 1];
const SIZE = 1024;
const SEGMENT_MS = 2_000;
const ROUNDS = 3;

function child(file: string, args: string[] = []): Promise<{ proc: ChildProcess; line: string }> {
  const proc = spawn(
    process.execPath,
    ['--conditions=headroom-source', '--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', (line) => resolve({ proc, line: line.trim() }));
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

async function openConnections(address: string, count: number): Promise<Socket[]> {
  const [host, port] = address.split(':');
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const s = connect({ host, port: Number(port), noDelay: true }, () => resolve(s));
          s.once('error', reject);
        }),
    ),
  );
}

interface Segment {
  readonly perSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** Runs every connection's closed loop for `ms`; returns round trips/s and latency percentiles. */
function segment(sockets: Socket[], ms: number): Promise<Segment> {
  const payload = Buffer.alloc(SIZE, 7);
  const histogram = new LatencyHistogram();
  let trips = 0;
  const start = performance.now();
  const end = start + ms;
  return new Promise((resolve) => {
    let active = sockets.length;
    for (const s of sockets) {
      let got = 0;
      let sentAt = 0;
      const send = (): void => {
        sentAt = performance.now();
        s.write(payload);
      };
      const onData = (d: Buffer): void => {
        got += d.length;
        if (got < SIZE) return;
        got -= SIZE;
        const now = performance.now();
        histogram.record(now - sentAt);
        trips++;
        if (now < end) send();
        else {
          s.off('data', onData);
          if (--active === 0) {
            const snap = histogram.snapshot();
            resolve({ perSec: trips / ((performance.now() - start) / 1000), p50Us: snap.p50 * 1000, p99Us: snap.p99 * 1000 });
          }
        }
      };
      s.on('data', onData);
      send();
    }
  });
}

/** The proxy child's CPU time so far, µs (it answers a line on stdin with `user system`). */
async function proxyCpuUs(proxy: ChildProcess, lines: AsyncIterator<string>): Promise<number> {
  proxy.stdin!.write('cpu\n');
  const { value } = await lines.next();
  const [user, system] = String(value).trim().split(' ').map(Number);
  return user! + system!;
}

report('chaos: proxy overhead, no toxics (1 KiB echo, closed loop, 100 and 1 connections)', async (): Promise<ReportTable> => {
  const echo = await child('./echo.child.ts');
  const proxy = await child('./proxy.child.ts', [echo.line]);
  const proxyLines = createInterface({ input: proxy.proc.stdout! })[Symbol.asyncIterator]();
  const targets: Record<string, string> = { direct: `127.0.0.1:${echo.line}`, 'chaos proxy': proxy.line };
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const range = (xs: number[], digits = 0): string => `${Math.min(...xs).toFixed(digits)} … ${Math.max(...xs).toFixed(digits)}`;
  try {
    for (const connections of CONNECTION_COUNTS) {
      const sockets: Record<string, Socket[]> = {};
      for (const [name, address] of Object.entries(targets)) sockets[name] = await openConnections(address, connections);
      const results: Record<string, Segment>[] = [];
      const cpuPerTrip: number[] = [];
      try {
        for (const name of Object.keys(targets)) await segment(sockets[name]!, 500); // warm-up
        for (let round = 0; round < ROUNDS; round++) {
          const order = round % 2 === 0 ? ['direct', 'chaos proxy'] : ['chaos proxy', 'direct'];
          const r: Record<string, Segment> = {};
          for (const name of order) {
            process.stderr.write(`  ${connections} connection(s), round ${round + 1}/${ROUNDS}: ${name} …\n`);
            const cpuBefore = name === 'chaos proxy' ? await proxyCpuUs(proxy.proc, proxyLines) : 0;
            const s = await segment(sockets[name]!, SEGMENT_MS);
            if (name === 'chaos proxy') {
              const trips = (s.perSec * SEGMENT_MS) / 1000;
              cpuPerTrip.push(((await proxyCpuUs(proxy.proc, proxyLines)) - cpuBefore) / trips);
            }
            r[name] = s;
            rows.push([connections, round + 1, name, Math.round(s.perSec), Math.round(s.p50Us), Math.round(s.p99Us)]);
          }
          results.push(r);
        }
      } finally {
        for (const list of Object.values(sockets)) for (const s of list) s.destroy();
      }
      const ratios = results.map((r) => r['chaos proxy']!.perSec / r['direct']!.perSec);
      const addedP50 = results.map((r) => r['chaos proxy']!.p50Us - r['direct']!.p50Us);
      const addedP99 = results.map((r) => r['chaos proxy']!.p99Us - r['direct']!.p99Us);
      notes.push(
        `${connections} connection(s): throughput, proxy ÷ direct, per round: ${ratios.map((x) => x.toFixed(2)).join(', ')} (range ${range(ratios, 2)}; goal at 100: ≥ 0.80)`,
        `${connections} connection(s): added p50 µs per round: ${addedP50.map((x) => x.toFixed(0)).join(', ')} (range ${range(addedP50)}; goal ≤ 100)`,
        `${connections} connection(s): added p99 µs per round: ${addedP99.map((x) => x.toFixed(0)).join(', ')} (range ${range(addedP99)})`,
        `${connections} connection(s): proxy CPU µs per round trip (user + system): ${range(cpuPerTrip, 1)}`,
      );
    }
  } finally {
    echo.proc.kill();
    proxy.proc.kill();
  }
  notes.push(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (2 cores; the client, the proxy and the echo server share them)`,
  );
  return { header: ['connections', 'round', 'target', 'round trips/s', 'p50 µs', 'p99 µs'], rows, notes };
});
