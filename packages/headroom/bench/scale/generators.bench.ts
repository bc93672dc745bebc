/**
 * Generator speed and overhead (run: `npm run bench -- scale/generators`): headroom against
 * autocannon and wrk, each its own process at its recommended settings, against one minimal local
 * HTTP server process (server.child.ts), in the same run. Three rounds, the order rotating each
 * round so every tool sees the same machine; the 1-minute load average beside every row.
 *
 * - speed: closed loop, 100 connections, 5 s: requests per second as each tool reports it;
 *   headroom with 1 and 2 worker threads. Goal (#16): headroom with 2 workers ≥ 1.2× autocannon
 *   and ≥ 0.8× wrk. On a 2-core machine the server and the generator share the cores, so this
 *   measures the pair; a faster generator leaves the server less CPU.
 * - overhead: 1 connection, 3 s, against the same server (it answers at once): each tool's p50 —
 *   the round trip plus the generator's own cost per request.
 */
import { loadavg } from 'node:os';
import { report, type ReportTable } from '../harness.js';
import { autocannon, hasWrk, headroom, range, startServer, wrk, type Load, type ToolRun } from './tools.js';

const ROUNDS = 3;

type Tool = { readonly name: string; readonly run: (url: string, load: Load) => Promise<ToolRun> };

async function tools(): Promise<Tool[]> {
  const list: Tool[] = [
    { name: 'headroom, 2 workers', run: (url, load) => headroom(url, load, 2) },
    { name: 'headroom, 1 worker', run: (url, load) => headroom(url, load, 1) },
    { name: 'autocannon', run: autocannon },
  ];
  if (await hasWrk()) list.push({ name: 'wrk', run: wrk });
  return list;
}

/** Runs every tool once per round, order rotating; returns runs by tool name, and the table rows. */
async function rounds(
  load: Load,
  figure: (r: ToolRun) => number,
): Promise<{ byTool: Map<string, ToolRun[]>; rows: (string | number)[][] }> {
  const server = await startServer('instant');
  const list = await tools();
  const byTool = new Map<string, ToolRun[]>(list.map((t) => [t.name, []]));
  const rows: (string | number)[][] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = list.map((_, i) => list[(i + round) % list.length]!);
      for (const tool of order) {
        process.stderr.write(`  round ${round + 1}/${ROUNDS}: ${tool.name} …\n`);
        const r = await tool.run(server.url, load);
        byTool.get(tool.name)!.push(r);
        rows.push([round + 1, tool.name, Math.round(r.perSec), figure(r).toPrecision(3), r.p99Ms.toPrecision(3), loadavg()[0]!.toFixed(2)]);
      }
    }
  } finally {
    server.proc.kill();
  }
  return { byTool, rows };
}

function ratios(byTool: Map<string, ToolRun[]>, a: string, b: string): number[] {
  const as = byTool.get(a) ?? [];
  const bs = byTool.get(b) ?? [];
  return as.map((r, i) => r.perSec / (bs[i]?.perSec ?? Number.NaN));
}

report('scale: generator speed (closed loop, 100 connections, 5 s, same server)', async (): Promise<ReportTable> => {
  const { byTool, rows } = await rounds({ concurrency: 100, seconds: 5 }, (r) => r.p50Ms);
  const vsAutocannon = ratios(byTool, 'headroom, 2 workers', 'autocannon');
  const notes = [
    `headroom (2 workers) ÷ autocannon, per round: ${range(vsAutocannon)} (goal ≥ 1.2)`,
    `headroom (1 worker) ÷ autocannon, per round: ${range(ratios(byTool, 'headroom, 1 worker', 'autocannon'))}`,
  ];
  if (byTool.has('wrk'))
    notes.push(`headroom (2 workers) ÷ wrk, per round: ${range(ratios(byTool, 'headroom, 2 workers', 'wrk'))} (goal ≥ 0.8)`);
  else notes.push('wrk is not installed (apt-get install -y wrk): no wrk rows');
  notes.push(`cores: the server and the generator share this machine's ${(await import('node:os')).cpus().length}`);
  return { header: ['round', 'generator', 'req/s', 'p50 ms', 'p99 ms', 'load1'], rows, notes };
});

report('scale: generator overhead (1 connection, 3 s, a server that answers at once)', async (): Promise<ReportTable> => {
  const { byTool, rows } = await rounds({ concurrency: 1, seconds: 3 }, (r) => r.p50Ms);
  const notes = [...byTool.entries()].map(
    ([name, runs]) => `${name}: p50 ${range(runs.map((r) => r.p50Ms))} ms over ${runs.length} rounds`,
  );
  return { header: ['round', 'generator', 'req/s', 'p50 ms', 'p99 ms', 'load1'], rows, notes };
});
