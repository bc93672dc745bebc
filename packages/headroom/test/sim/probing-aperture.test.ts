/**
 * Deterministic aperture inside the simulator: 100 clients × 100 servers pick through the real
 * `aperture()` picker (clients.picker: aperture), each with its own ring coordinate. Every
 * dispatch is watched: a client's distinct servers are its slice (bounded as configured), and the
 * per-server load stays within the binomial bound the picker-level test uses — beside full-mesh
 * P2C on the same seed and arrivals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { apertureSlice } from '../../src/balance/index.js';
import { runModel, type RunResult } from '../../src/sim/index.js';
import type { PickerSpec } from '../../src/sim/model-spec.js';
import { apertureModel } from '../../src/sim/scenarios/probing.js';

const seed = seedFromEnv(1);
const replay = `HEADROOM_SEED=${seed}`;
const CLIENTS = 100;
const SERVERS = 100;

function run(picker: PickerSpec): { result: RunResult; servers: Set<number>[] } {
  const servers = Array.from({ length: CLIENTS }, () => new Set<number>());
  const model = apertureModel(CLIENTS, SERVERS, 2_000);
  const result = runModel({ ...model, clients: { ...model.clients, picker } }, seed, {
    onDispatch: (_at, client, server) => servers[client]!.add(server),
  });
  return { result, servers };
}

/** Max/mean of the per-server request counts, and the union bound at z = 4.5 for Binomial(N, 1/S). */
function spread(r: RunResult): { maxOverMean: number; bound: number } {
  const total = r.served.reduce((a, b) => a + b, 0);
  const mean = total / SERVERS;
  return { maxOverMean: Math.max(...r.served) / mean, bound: 1 + (4.5 * Math.sqrt(mean * (1 - 1 / SERVERS))) / mean };
}

for (const minAperture of [12, 5]) {
  test(`aperture (minAperture ${minAperture}): each client reaches only its slice; per-server load within the binomial bound`, () => {
    const { result, servers } = run({ type: 'aperture', minAperture });
    for (let i = 0; i < CLIENTS; i++) {
      const slice = apertureSlice({ index: i, count: CLIENTS }, SERVERS, minAperture);
      assert.ok(servers[i]!.size <= slice.servers, `client ${i}: ${servers[i]!.size} servers > its slice's ${slice.servers} (${replay})`);
      assert.ok(servers[i]!.size >= minAperture, `client ${i} used ${servers[i]!.size} servers (${replay})`);
    }
    const connections = servers.reduce((n, s) => n + s.size, 0);
    assert.ok(connections <= CLIENTS * (minAperture + 1), `${connections} connections (${replay})`);
    const { maxOverMean, bound } = spread(result);
    assert.ok(maxOverMean <= bound, `max/mean ${maxOverMean.toFixed(3)} > ${bound.toFixed(3)} (${replay})`);
    assert.ok(Math.min(...result.served) > 0, 'every server gets traffic');
  });
}

test('full-mesh P2C on the same arrivals: every client reaches (nearly) every server', () => {
  const { servers } = run('p2c');
  const connections = servers.reduce((n, s) => n + s.size, 0);
  assert.ok(connections > CLIENTS * SERVERS * 0.5, `${connections} connections (${replay})`);
});
