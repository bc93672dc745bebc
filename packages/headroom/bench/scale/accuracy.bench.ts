/**
 * p99 accuracy against a known truth (run: `npm run bench -- scale/accuracy`): a server that
 * answers at once but stalls completely for 1 s every 10 s (server.child.ts `stall`), loaded for
 * 20 s — two whole periods — by headroom open loop (200 req/s, timed from intended send times),
 * autocannon and wrk (closed loop, 10 connections, their recommended use). Three rounds, order
 * rotating.
 *
 * The truth: a request intended at a uniformly random time waits, with probability 1/10, until
 * the stall ends — uniform on (0, 1 s] — and otherwise not at all; so P(latency > x) = 0.1 ×
 * (1000 − x)/1000 and the p99 is 900 ms (plus the sub-millisecond answer). A closed loop sends
 * nothing while its connections wait, so it records one slow request per connection per stall
 * and reports a p99 near the answer time: coordinated omission.
 */
import { loadavg } from 'node:os';
import { report, type ReportTable } from '../harness.js';
import { autocannon, hasWrk, headroom, range, startServer, wrk, type Load, type ToolRun } from './tools.js';

const ROUNDS = 3;
const TRUE_P99_MS = 900;
const SECONDS = 20;

report('scale: p99 accuracy under a 1 s stall every 10 s (truth: p99 = 900 ms)', async (): Promise<ReportTable> => {
  const server = await startServer('stall');
  const list: { name: string; run: () => Promise<ToolRun> }[] = [
    {
      name: 'headroom, open loop 200/s',
      run: () => headroom(server.url, { ratePerSec: 200, concurrency: 250, seconds: SECONDS } as Load, 1),
    },
    { name: 'autocannon, 10 connections', run: () => autocannon(server.url, { concurrency: 10, seconds: SECONDS }) },
  ];
  if (await hasWrk()) list.push({ name: 'wrk, 10 connections', run: () => wrk(server.url, { concurrency: 10, seconds: SECONDS }) });
  const errors = new Map<string, number[]>(list.map((t) => [t.name, []]));
  const rows: (string | number)[][] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const tool of list.map((_, i) => list[(i + round) % list.length]!)) {
        process.stderr.write(`  round ${round + 1}/${ROUNDS}: ${tool.name} …\n`);
        const r = await tool.run();
        const error = (r.p99Ms - TRUE_P99_MS) / TRUE_P99_MS;
        errors.get(tool.name)!.push(error);
        rows.push([
          round + 1,
          tool.name,
          Math.round(r.perSec),
          r.p99Ms.toPrecision(4),
          `${(error * 100).toFixed(1)}%`,
          loadavg()[0]!.toFixed(2),
        ]);
      }
    }
  } finally {
    await server.stop();
  }
  const notes = [...errors.entries()].map(([name, e]) => `${name}: p99 error ${range(e.map((x) => x * 100))}% over ${e.length} rounds`);
  return { header: ['round', 'generator', 'req/s', 'p99 ms', 'error vs 900 ms', 'load1'], rows, notes };
});
