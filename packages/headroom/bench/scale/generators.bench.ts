/**
 * Generator speed and overhead (run: `npm run bench -- scale/generators`): headroom against
 * autocannon and wrk, each its own process at its recommended settings, against one minimal local
 * HTTP server process, in the same run. Three rounds, the order rotating each round so every tool
 * sees the same machine; the 1-minute load average beside every row, and each tool's CPU time per
 * request in the steady state: every tool also runs for 1 s right after its full run, and the
 * CPU per request is the difference of the two runs' process CPU time (user + system) over the
 * difference of their requests — so the start-up (headroom: loading the command and starting its
 * threads, about a second of CPU) is not charged to the requests.
 *
 * Two servers, each its own pair of suites: the Node server (server.child.ts), and one nginx
 * process (when Debian's nginx is installed; one line says so and the nginx suites are skipped
 * otherwise). The Node server's one event loop caps every generator at the same rate; nginx costs
 * several times less per request, so there the generators set the pace.
 *
 * - speed: closed loop, 100 connections, 5 s: requests per second as each tool reports it;
 *   headroom with 1 and 2 worker threads. Goal (#16): headroom with 2 workers ≥ 1.2× autocannon
 *   and ≥ 0.8× wrk. On a 2-core machine the server and the generator share the cores, so this
 *   measures the pair; a faster generator leaves the server less CPU.
 * - overhead: 1 connection, 3 s, against the same server (it answers at once): each tool's p50 —
 *   the round trip plus the generator's own cost per request.
 */
import { cpus, loadavg } from 'node:os';
import { report, type ReportTable } from '../harness.js';
import {
  autocannon,
  hasWrk,
  headroom,
  nginxPath,
  range,
  startNginx,
  startServer,
  wrk,
  type BenchServer,
  type Load,
  type ToolRun,
} from './tools.js';

const ROUNDS = 3;
const HEADER = ['round', 'generator', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'load1'];

type Tool = { readonly name: string; readonly run: (url: string, load: Load) => Promise<ToolRun> };
/** A run with its steady-state CPU µs per request (see the file comment). */
type Measured = ToolRun & { readonly cpuUsPerRequest: number };
type ServerKind = 'node' | 'nginx';

async function tools(): Promise<Tool[]> {
  const list: Tool[] = [
    { name: 'headroom, 2 workers', run: (url, load) => headroom(url, load, 2) },
    { name: 'headroom, 1 worker', run: (url, load) => headroom(url, load, 1) },
    { name: 'autocannon', run: autocannon },
  ];
  if (await hasWrk()) list.push({ name: 'wrk', run: wrk });
  return list;
}

async function start(kind: ServerKind): Promise<BenchServer | null> {
  if (kind === 'node') return startServer('instant');
  const nginx = await nginxPath();
  return nginx === null ? null : startNginx(nginx);
}

/** Runs every tool once per round, order rotating; returns runs by tool name, and the table rows (null: no nginx). */
async function rounds(kind: ServerKind, load: Load): Promise<{ byTool: Map<string, Measured[]>; rows: (string | number)[][] } | null> {
  const server = await start(kind);
  if (server === null) return null;
  const list = await tools();
  const byTool = new Map<string, Measured[]>(list.map((t) => [t.name, []]));
  const rows: (string | number)[][] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = list.map((_, i) => list[(i + round) % list.length]!);
      for (const tool of order) {
        process.stderr.write(`  ${kind} server, round ${round + 1}/${ROUNDS}: ${tool.name} …\n`);
        const r = await tool.run(server.url, load);
        const short = await tool.run(server.url, { ...load, seconds: 1 });
        const cpuUsPerRequest = ((r.cpuSec - short.cpuSec) * 1e6) / (r.requests - short.requests);
        byTool.get(tool.name)!.push({ ...r, cpuUsPerRequest });
        rows.push([
          round + 1,
          tool.name,
          Math.round(r.perSec),
          r.p50Ms.toPrecision(3),
          r.p99Ms.toPrecision(3),
          cpuUsPerRequest.toPrecision(3),
          loadavg()[0]!.toFixed(2),
        ]);
      }
    }
  } finally {
    await server.stop();
  }
  return { byTool, rows };
}

function ratios(byTool: Map<string, Measured[]>, a: string, b: string): number[] {
  const as = byTool.get(a) ?? [];
  const bs = byTool.get(b) ?? [];
  return as.map((r, i) => r.perSec / (bs[i]?.perSec ?? Number.NaN));
}

const NO_NGINX = 'nginx is not installed (apt-get install -y nginx-light): the nginx suite is skipped';

function cpuNotes(byTool: Map<string, Measured[]>): string[] {
  return [...byTool.entries()].map(([name, runs]) => `${name}: CPU ${range(runs.map((r) => r.cpuUsPerRequest))} µs per request`);
}

for (const kind of ['node', 'nginx'] as const) {
  report(`scale: generator speed, ${kind} server (closed loop, 100 connections, 5 s)`, async (): Promise<ReportTable> => {
    const measured = await rounds(kind, { concurrency: 100, seconds: 5 });
    if (measured === null) return { header: ['note'], rows: [], notes: [NO_NGINX] };
    const { byTool, rows } = measured;
    const notes = [
      `headroom (2 workers) ÷ autocannon, per round: ${range(ratios(byTool, 'headroom, 2 workers', 'autocannon'))} (goal ≥ 1.2)`,
      `headroom (1 worker) ÷ autocannon, per round: ${range(ratios(byTool, 'headroom, 1 worker', 'autocannon'))}`,
    ];
    if (byTool.has('wrk'))
      notes.push(`headroom (2 workers) ÷ wrk, per round: ${range(ratios(byTool, 'headroom, 2 workers', 'wrk'))} (goal ≥ 0.8)`);
    else notes.push('wrk is not installed (apt-get install -y wrk): no wrk rows');
    notes.push(...cpuNotes(byTool));
    notes.push(`cores: the server and the generator share this machine's ${cpus().length}`);
    return { header: HEADER, rows, notes };
  });

  report(`scale: generator overhead, ${kind} server (1 connection, 3 s, answers at once)`, async (): Promise<ReportTable> => {
    const measured = await rounds(kind, { concurrency: 1, seconds: 3 });
    if (measured === null) return { header: ['note'], rows: [], notes: [NO_NGINX] };
    const notes = [...measured.byTool.entries()].map(
      ([name, runs]) => `${name}: p50 ${range(runs.map((r) => r.p50Ms))} ms over ${runs.length} rounds`,
    );
    return { header: HEADER, rows: measured.rows, notes: [...notes, ...cpuNotes(measured.byTool)] };
  });
}
