/**
 * Chaos proxy overhead with no toxics (run: `npm run bench -- chaos/proxy`): 100 connections,
 * each in a closed loop sending 1 KiB and waiting for the 1 KiB echo, directly to an echo server,
 * through the chaos proxy, and through peers in front of the same echo server (proxy-peers.ts: a
 * plain node:net `pipe()` proxy, socat, HAProxy in TCP mode with 1 and 2 threads), each in its own
 * process. Segments of every target alternate (3 rounds, 2 s each after a warm-up, order rotating),
 * so all see the same machine load; the table gives each segment and the notes, per target, the
 * ratio to direct and the added latency per round, with the range over rounds. Goal (#17) for the
 * chaos proxy: ≤ 100 µs added at p50, ≥ 80% of direct throughput. The peers show what a proxy
 * costs on this machine, where client, proxy and server share the CPUs.
 *
 * The same over 1 connection shows the cost of the extra hop itself: with 100 connections in a
 * closed loop the three processes saturate the CPUs, so the added latency there is mostly queueing.
 * Each proxy's CPU time per round trip (user + system from /proc, its forks included) is reported
 * too, and with the client's and echo server's CPU per round trip (direct segments) the ceiling
 * that CPU alone puts on throughput ÷ direct when all three share saturated cores:
 * (client + echo) ÷ (client + echo + proxy).
 */
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { LatencyHistogram } from '../../src/core/histogram.js';
import { report, type ReportTable } from '../harness.js';
import { haproxy, nodeChild, socat, treeCpuUs, type Target } from './proxy-peers.js';

const CONNECTION_COUNTS = [100, 1];
const SIZE = 1024;
const SEGMENT_MS = 2_000;
const ROUNDS = 3;

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

/** CPU time (µs) of this process (the client) and of the echo server. */
function endsCpuUs(echoPid: number): number {
  const { user, system } = process.cpuUsage();
  return user + system + treeCpuUs(echoPid);
}

/** How long past its end a segment may wait for its last echoes before the bench gives up. */
const STUCK_MS = 30_000;

/** Runs every connection's closed loop for `ms`; returns round trips/s and latency percentiles. */
function segment(name: string, sockets: Socket[], ms: number): Promise<Segment> {
  const payload = Buffer.alloc(SIZE, 7);
  const histogram = new LatencyHistogram();
  let trips = 0;
  const start = performance.now();
  const end = start + ms;
  return new Promise((resolve, reject) => {
    const stuck = setTimeout(
      () => reject(new Error(`${name}: ${active} of ${sockets.length} connections got no echo for ${STUCK_MS} ms after the segment ended`)),
      ms + STUCK_MS,
    );
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
            clearTimeout(stuck);
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

report('chaos: proxy overhead, no toxics (1 KiB echo, closed loop, 100 and 1 connections)', async (): Promise<ReportTable> => {
  const echo = await nodeChild('direct', './echo.child.ts');
  const echoPort = Number(echo.line);
  const started: Target[] = [echo];
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const range = (xs: number[], digits = 0): string => `${Math.min(...xs).toFixed(digits)} … ${Math.max(...xs).toFixed(digits)}`;
  try {
    const direct: Target = { ...echo, address: `127.0.0.1:${echoPort}` };
    const proxies: Target[] = [];
    for (const start of [
      () => nodeChild('chaos proxy', './proxy.child.ts', [String(echoPort)]),
      () => nodeChild('node pipe()', './pipe-proxy.child.ts', [String(echoPort)]),
      () => socat(echoPort),
      () => haproxy(echoPort, 1),
      () => haproxy(echoPort, 2),
    ]) {
      const t = await start();
      if (t === undefined) continue;
      started.push(t);
      proxies.push(t);
    }
    const targets = [direct, ...proxies];
    for (const connections of CONNECTION_COUNTS) {
      const sockets = new Map<Target, Socket[]>();
      for (const t of targets) {
        process.stderr.write(`  ${connections} connection(s), connecting: ${t.name} …\n`);
        sockets.set(t, await openConnections(t.address, connections));
      }
      const results: Map<Target, Segment>[] = [];
      const cpuPerTrip = new Map<Target, number[]>(proxies.map((t) => [t, []]));
      const endsCpuPerTrip: number[] = []; // client + echo server, direct segments
      try {
        for (const t of targets) {
          process.stderr.write(`  ${connections} connection(s), warm-up: ${t.name} …\n`);
          await segment(t.name, sockets.get(t)!, 500);
        }
        for (let round = 0; round < ROUNDS; round++) {
          const shift = round % targets.length;
          const order = [...targets.slice(shift), ...targets.slice(0, shift)];
          const r = new Map<Target, Segment>();
          for (const t of order) {
            process.stderr.write(`  ${connections} connection(s), round ${round + 1}/${ROUNDS}: ${t.name} …\n`);
            const cpuBefore = t === direct ? 0 : treeCpuUs(t.pid);
            const endsBefore = endsCpuUs(echo.pid);
            const s = await segment(t.name, sockets.get(t)!, SEGMENT_MS);
            const trips = (s.perSec * SEGMENT_MS) / 1000;
            if (t !== direct) cpuPerTrip.get(t)!.push((treeCpuUs(t.pid) - cpuBefore) / trips);
            else endsCpuPerTrip.push((endsCpuUs(echo.pid) - endsBefore) / trips);
            r.set(t, s);
            rows.push([connections, round + 1, t.name, Math.round(s.perSec), Math.round(s.p50Us), Math.round(s.p99Us)]);
          }
          results.push(r);
        }
      } finally {
        for (const list of sockets.values()) for (const s of list) s.destroy();
      }
      const ends = endsCpuPerTrip.reduce((a, b) => a + b, 0) / endsCpuPerTrip.length;
      notes.push(`${connections} conn, direct: client + echo server CPU µs per round trip ${range(endsCpuPerTrip, 1)}`);
      for (const t of proxies) {
        const ceiling = cpuPerTrip.get(t)!.map((proxyUs) => ends / (ends + proxyUs));
        const ratios = results.map((r) => r.get(t)!.perSec / r.get(direct)!.perSec);
        const addedP50 = results.map((r) => r.get(t)!.p50Us - r.get(direct)!.p50Us);
        const addedP99 = results.map((r) => r.get(t)!.p99Us - r.get(direct)!.p99Us);
        const goal = t.name === 'chaos proxy' ? ' (goal at 100 connections: ≥ 0.80 and ≤ 100 µs)' : '';
        notes.push(
          `${connections} conn, ${t.name}: throughput ÷ direct ${ratios.map((x) => x.toFixed(2)).join(', ')} (range ${range(ratios, 2)}); ` +
            `added p50 µs ${range(addedP50)}; added p99 µs ${range(addedP99)}; CPU µs per round trip ${range(cpuPerTrip.get(t)!, 1)}, ` +
            `so a CPU-bound ceiling on throughput ÷ direct of ${range(ceiling, 2)}${goal}`,
        );
      }
    }
  } finally {
    for (const t of started) t.stop();
  }
  notes.push(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (2 cores; the client, the proxy and the echo server share them)`,
  );
  return { header: ['connections', 'round', 'target', 'round trips/s', 'p50 µs', 'p99 µs'], rows, notes };
});
