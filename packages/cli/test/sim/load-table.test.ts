/**
 * The Finagle-style per-server load table of `headroom sim` (renderLoadDeviationTable): its
 * numbers for loads whose deviations are known by hand, and for a real run whose loads are known
 * (round-robin, 10 calls over 4 servers: 3, 3, 2, 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runModel, type Replications } from 'headroom/sim';
import { renderLoadDeviationTable, type VariantResult } from '../../src/sim/table.js';

/** A variant whose first replication served `served` (the table reads nothing else). */
const variant = (name: string, served: readonly number[]): VariantResult => ({
  name,
  replications: { runs: [{ served }] } as unknown as Replications,
});

/** The table's rows as cells (columns are separated by two or more spaces). */
function cells(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^[─\s]+$/.test(line))
    .map((line) => line.trim().split(/\s{2,}/));
}

test('known loads: each server’s requests and |deviation| from total/servers, then the optimal, the mean and the largest deviation', () => {
  const rows = cells(renderLoadDeviationTable([variant('even-ish', [90, 110, 100, 100]), variant('skewed', [1, 2, 3, 4])]));
  assert.deepEqual(rows, [
    ['requests per server (|dev| from optimal)', 'even-ish', 'skewed'],
    ['s0', '90 (10.0%)', '1 (60.0%)'],
    ['s1', '110 (10.0%)', '2 (20.0%)'],
    ['s2', '100 (0.0%)', '3 (20.0%)'],
    ['s3', '100 (0.0%)', '4 (60.0%)'],
    ['optimal (total / servers)', '100.00', '2.50'],
    ['mean |deviation|', '5.0%', '40.0%'],
    ['max |deviation|', '10.0%', '60.0%'],
  ]);
});

test('a real run: round-robin sends 10 calls to 4 servers as 3, 3, 2, 2 — optimal 2.5, every server 20% off', () => {
  const run = runModel(
    {
      duration: 10.5,
      arrivals: { type: 'constant', ratePerSec: 1000 },
      clients: { picker: 'round-robin' },
      servers: [{ count: 4, workers: 1, service: { type: 'constant', value: 0.1 } }],
    },
    1,
  );
  assert.deepEqual([...run.served].sort(), [2, 2, 3, 3]);
  const rows = cells(renderLoadDeviationTable([{ name: 'rr', replications: { runs: [run] } as unknown as Replications }]));
  assert.deepEqual(
    rows.slice(1, 5).map((r) => r[1]),
    run.served.map((n) => `${n} (20.0%)`),
  );
  assert.deepEqual(rows.slice(5), [
    ['optimal (total / servers)', '2.50'],
    ['mean |deviation|', '20.0%'],
    ['max |deviation|', '20.0%'],
  ]);
});
