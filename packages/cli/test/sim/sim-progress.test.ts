/**
 * `headroom sim` prints progress inside a long run (simulated time reached, events/s, calls in flight) on stderr,
 * at most once a second, and the same results as without it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgressPrinter } from '../../src/commands/sim.js';
import { commandArgs } from '../command.js';

let work = '';

before(() => {
  work = mkdtempSync(join(tmpdir(), 'headroom-sim-progress-'));
  // About 6 M calls: several seconds of one run in its worker thread even on a quiet machine (1.5 M
  // took 0.9 s there, below the printer's one line a second).
  writeFileSync(
    join(work, 'long.json'),
    JSON.stringify({
      name: 'long',
      model: {
        duration: '1500s',
        arrivals: { type: 'poisson', ratePerSec: 4000 },
        servers: [{ count: 4, workers: 'unbounded', service: { type: 'exponential', mean: '1ms' } }],
      },
    }),
  );
});
after(() => rmSync(work, { recursive: true, force: true }));

test('a long single run prints where it is (simulated %, events/s, calls in flight) before its replication line', () => {
  const r = spawnSync(process.execPath, commandArgs('sim', 'long.json', '--no-report', '--json'), {
    cwd: work,
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n');
  const progress = lines.filter((l) =>
    /^ {2}base \(seed 1\): \d+% of 1500 s simulated(, about [\d.]+ (s|min) left)?, \d+\.\d\d M events\/s, [\d,]+ call\(s\) in flight$/.test(
      l,
    ),
  );
  assert.ok(progress.length >= 1, `no progress line in:\n${r.stderr}`);
  assert.ok(lines.indexOf(progress[0]!) < lines.findIndex((l) => /base: 1\/1 replication/.test(l)), r.stderr);
  const percents = progress.map((l) => Number(/(\d+)%/.exec(l)![1]));
  assert.deepEqual(
    percents,
    [...percents].sort((a, b) => a - b),
  );
  // stdout is the JSON alone.
  const out = JSON.parse(r.stdout) as { variants: { replications: { runs: { calls: number }[] } }[] };
  assert.ok(out.variants[0]!.replications.runs[0]!.calls > 5_000_000);
});

test('the progress printer writes at most one line a second, with the events/s and the time left at the pace since the run’s previous line, and the calls in flight', () => {
  let now = 0;
  const lines: string[] = [];
  const print = runProgressPrinter(
    (l) => lines.push(l),
    () => now,
  );
  const at = (ms: number, simulatedMs: number, events: number, inFlight = 3) => {
    now = ms;
    print('base', 1, { simulatedMs, durationMs: 10_000, events, inFlight });
  };
  at(100, 1000, 200_000); // a run's first report only starts its rate
  at(600, 2000, 1_200_000);
  assert.deepEqual(lines, []);
  at(1100, 3000, 2_200_000); // 2 M events in 1 s
  // 2 s of virtual time in 1 s: the 7 s left take about 3.5 s
  assert.deepEqual(lines, ['  base (seed 1): 30% of 10 s simulated, about 3.5 s left, 2.00 M events/s, 3 call(s) in flight\n']);
  at(1500, 4000, 3_000_000);
  assert.equal(lines.length, 1);
  at(2100, 10_000, 4_200_000);
  at(3200, 10_500, 5_300_000, 2);
  assert.deepEqual(lines.slice(1), [
    '  base (seed 1): 100% of 10 s simulated, 2.00 M events/s, 3 call(s) in flight\n',
    '  base (seed 1): draining 2 call(s) in flight at 10.5 s, 1.00 M events/s\n',
  ]);
  // a long run: below 1% the share keeps a digit, and the time left reads in hours or days
  now = 0;
  const longLines: string[] = [];
  const long = runProgressPrinter(
    (l) => longLines.push(l),
    () => now,
  );
  long('huge', 1, { simulatedMs: 0, durationMs: 3.6e12, events: 0, inFlight: 1 });
  now = 1000;
  long('huge', 1, { simulatedMs: 6e6, durationMs: 3.6e12, events: 6_000_000, inFlight: 12_345 });
  assert.deepEqual(longLines, [
    '  huge (seed 1): 0.0002% of 3600000000 s simulated, about 6.9 d left, 6.00 M events/s, 12,345 call(s) in flight\n',
  ]);
});
