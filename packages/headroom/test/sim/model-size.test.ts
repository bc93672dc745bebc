/**
 * A model too large for the machine is refused at once with the memory it needs, not after
 * minutes of allocation; one that fits runs as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { totalmem } from 'node:os';
import { runModel, type ModelSpec } from '../../src/sim/index.js';
import { checkModelSize, SERVER_BYTES } from '../../src/sim/model-size.js';

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
  const memory = 100 * SERVER_BYTES * 10; // room for 1,000 servers with one client
  assert.doesNotThrow(() => checkModelSize(model(900), memory));
  assert.throws(() => checkModelSize(model(1100), memory), { code: 'HR_SIM_INVALID_OPTION' });
  // 900 servers: fine with 1 client, not with 200 (200 × 900 × 4 B on top)
  assert.throws(() => checkModelSize(model(900, { clients: { count: 200 } }), memory), /900 servers and 200 client\(s\)/);
  const links = { links: [{ servers: [0], delay: { type: 'constant' as const, value: '1ms' } }] };
  assert.doesNotThrow(() => checkModelSize(model(900, { clients: { count: 10 } }), memory));
  assert.throws(() => checkModelSize(model(900, { clients: { count: 10 }, network: links }), memory));
  // counts the other checks name are left to them
  assert.doesNotThrow(() => checkModelSize(model(-1), memory));
});

test('a fleet the issue names (10,000 servers) fits here and runs', () => {
  assert.doesNotThrow(() => checkModelSize(model(10_000), totalmem()));
  assert.ok(runModel(model(10_000), 1).calls > 0);
});
