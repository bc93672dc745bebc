/** The run's first phase warms up longer than the others: the fleet's cold start stays out of its window. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_PHASE_WARMUP_FACTOR, phaseWarmupMs } from '../../src/lab/load/cold-start.js';

test("the run's first phase warms up 4× --warmup, every later phase --warmup, and 0 stays 0", () => {
  assert.equal(FIRST_PHASE_WARMUP_FACTOR, 4);
  assert.equal(phaseWarmupMs(1, 1000), 4000);
  assert.equal(phaseWarmupMs(2, 1000), 1000);
  assert.equal(phaseWarmupMs(7, 300), 300);
  assert.equal(phaseWarmupMs(1, 0), 0);
});
