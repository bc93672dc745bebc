/**
 * A model too large for the machine is refused at once with the memory it needs, not after
 * minutes of allocation; one that fits runs as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runModel, type ModelSpec } from '../../src/sim/index.js';
import { checkModelSize, HEAP_SERVER_BYTES, memoryLimits, SERVER_BYTES } from '../../src/sim/model-size.js';

const model = (count: number, extra: Partial<ModelSpec> = {}): ModelSpec => ({
  duration: '1s',
  arrivals: { type: 'poisson', ratePerSec: 100 },
  servers: [{ count, workers: 1, service: { type: 'exponential', mean: '1ms' } }],
  ...extra,
});

test('a billion servers is refused at once, naming the memory it needs and the machine’s', () => {
  const t0 = performance.now();
  assert.throws(() => runModel(model(1e9), 1), {
    code: 'HR_SIM_INVALID_OPTION',
    message:
      /servers: got "1000000000 servers and 1 client\(s\)"; a model this large needs at least \d+ GB .*more than this machine's \d+(\.\d+)? GB; simulate fewer servers or clients/,
  });
  assert.ok(performance.now() - t0 < 1000, 'it built the fleet before refusing it');
});

test('the estimate counts servers, and each client per server (more with per-link networks)', () => {
  const limits = { memoryBytes: 1000 * SERVER_BYTES, heapBytes: Infinity }; // room for 1,000 servers with one client
  assert.doesNotThrow(() => checkModelSize(model(900), limits));
  assert.throws(() => checkModelSize(model(1100), limits), { code: 'HR_SIM_INVALID_OPTION' });
  // 900 servers: fine with 1 client, not with 10 (10 × 900 × 40 B on top)
  assert.throws(() => checkModelSize(model(900, { clients: { count: 10 } }), limits), /900 servers and 10 client\(s\)/);
  const links = { links: [{ servers: [0], delay: { type: 'constant' as const, value: '1ms' } }] };
  assert.doesNotThrow(() => checkModelSize(model(500, { clients: { count: 8 } }), limits));
  assert.throws(() => checkModelSize(model(500, { clients: { count: 8 }, network: links }), limits));
  // counts the other checks name are left to them
  assert.doesNotThrow(() => checkModelSize(model(-1), limits));
});

test('a model within the machine’s memory but above the thread’s heap limit is refused, saying how to raise it', () => {
  const limits = { memoryBytes: Infinity, heapBytes: 1000 * HEAP_SERVER_BYTES };
  assert.doesNotThrow(() => checkModelSize(model(900), limits));
  assert.throws(() => checkModelSize(model(1100), limits), {
    code: 'HR_SIM_INVALID_OPTION',
    message: /of JavaScript heap .*more than this thread's limit of .* GB; .*NODE_OPTIONS=--max-old-space-size=\d+/,
  });
  // the real limits: 30 million servers fit 24 GB of memory at 400 B each, not a 4 GB heap at 350 B
  const real = memoryLimits();
  if (real.memoryBytes >= 30e6 * SERVER_BYTES && real.heapBytes < 30e6 * HEAP_SERVER_BYTES) {
    const t0 = performance.now();
    assert.throws(() => runModel(model(30e6), 1), /of JavaScript heap/);
    assert.ok(performance.now() - t0 < 1000, 'it built the fleet before refusing it');
  }
});

test('a fleet the issue names (10,000 servers) fits here and runs', () => {
  assert.doesNotThrow(() => checkModelSize(model(10_000), memoryLimits()));
  assert.ok(runModel(model(10_000), 1).calls > 0);
});
