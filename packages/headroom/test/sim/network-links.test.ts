/**
 * Per-link network (`network.links`): a slow link to some servers delays only the calls that
 * cross it, per-link loss loses its share, later entries override earlier ones field by field,
 * a model without links runs exactly as before, and bad values or unknown fields name their path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { seedFromEnv } from '../../src/core/random.js';
import { runModel, validateScenario, type ModelSpec, type NetworkSpec } from '../../src/sim/index.js';
import { assertMeanNear, replicate } from './helpers.js';

const exp = (mean: string) => ({ type: 'exponential', mean }) as const;
const constant = (value: string) => ({ type: 'constant', value }) as const;

/** Two clients, round-robin over two groups of two servers that never queue (latency = network + service). */
const model = (network: NetworkSpec, extra: Partial<ModelSpec> = {}): ModelSpec => ({
  duration: '10s',
  warmup: '1s',
  arrivals: { type: 'poisson', ratePerSec: 2000 },
  clients: { count: 2, picker: 'round-robin' },
  servers: [
    { count: 2, workers: 'unbounded', service: exp('1ms') },
    { count: 2, workers: 'unbounded', service: exp('1ms') },
  ],
  network,
  ...extra,
});

test('a slow link from client 1 to server group 1 raises only those calls, a quarter of them, by twice the extra one-way delay', () => {
  // Each client deals its calls round-robin over the 4 servers, so a quarter of the calls go from
  // client 1 to group 1. Mean = service 1 + 2 × 0.5 ms each way + ¼ × 2 × (5 − 0.5) ms = 4.25 ms.
  // Applying the link to every client would give 6.5 ms, to one direction only 3.125 ms.
  const spec = model({ delay: exp('0.5ms'), links: [{ clients: [1], servers: { group: 1 }, delay: exp('5ms') }] });
  const { seeds, runs } = replicate(spec, 4100, 5);
  assertMeanNear(
    'mean sojourn',
    runs.map((r) => r.meanSojournMs),
    1 + 1 + 0.25 * 2 * 4.5,
    seeds,
    0.02,
  );
  // Without the link: 2 ms.
  const base = replicate(model({ delay: exp('0.5ms') }), 4100, 5);
  assertMeanNear(
    'mean sojourn without links',
    base.runs.map((r) => r.meanSojournMs),
    2,
    base.seeds,
    0.02,
  );
});

test('per-link loss with an attempt timeout: calls to the lossy group fail with 1 − (1 − p)² each, the others never', () => {
  const seed = seedFromEnv(4200);
  // Loss 0.2 on every link to group 1 (half the calls): a call there fails when its request or its
  // answer is lost, 1 − 0.8² = 0.36, so 18% of all calls fail and 0.18 messages are lost per call.
  const spec = model(
    { links: [{ servers: [2, 3], loss: 0.2 }] },
    { clients: { count: 2, picker: 'round-robin', retry: { maxAttempts: 1, attemptTimeout: '20ms' }, timeout: '1s' } },
  );
  const r = runModel(spec, seed);
  assert.ok(r.calls > 15000, `calls ${r.calls}`);
  const se = Math.sqrt((0.18 * 0.82) / r.calls);
  assert.ok(
    Math.abs(r.failed / r.calls - 0.18) < 4 * se,
    `failed share ${r.failed / r.calls}, expected 0.18 ± ${4 * se}. HEADROOM_SEED=${seed}`,
  );
  assert.ok(Math.abs(r.lost / r.calls - 0.18) < 0.015, `lost per call ${r.lost / r.calls}. HEADROOM_SEED=${seed}`);
  // With three attempts (round-robin moves each retry to the next server, half of them lossless)
  // almost every call makes it.
  const retried = runModel(
    {
      ...spec,
      clients: { count: 2, picker: 'round-robin', retry: { maxAttempts: 3, attemptTimeout: '20ms', budget: false }, timeout: '1s' },
    },
    seed,
  );
  assert.ok(retried.failed / retried.calls < 0.01, `failed with 3 attempts ${retried.failed / retried.calls}`);
});

test('links override in order, field by field; unmatched pairs keep the fleet-wide values', () => {
  // Constant service and delays: every latency is exact. One client, round-robin over servers 0–3.
  const at = (network: NetworkSpec): number =>
    runModel(
      model(network, {
        clients: { picker: 'round-robin' },
        servers: [{ count: 4, workers: 'unbounded', service: constant('1ms') }],
      }),
      1,
    ).meanSojournMs;
  const near = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) < 1e-6, `${what}: ${got}, expected ${want}`);
  // Fleet 1 ms each way; server 0 at 3 ms: mean 1 + (2 + 2 + 2 + 6) / 4.
  near(at({ delay: constant('1ms'), links: [{ servers: [0], delay: constant('3ms') }] }), 4, 'one link');
  // Everything at 5 ms, then server 0 back at 1 ms: 1 + (2 + 10 + 10 + 10) / 4.
  near(at({ links: [{ delay: constant('5ms') }, { servers: [0], delay: constant('1ms') }] }), 9, 'later narrower entry wins');
  // The same two entries the other way round: the later one covers server 0 too.
  near(at({ links: [{ servers: [0], delay: constant('1ms') }, { delay: constant('5ms') }] }), 11, 'later wider entry wins');
  // A later entry that sets only loss keeps the earlier delay.
  near(at({ links: [{ delay: constant('5ms') }, { servers: [0], loss: 0 }] }), 11, 'field by field');
});

test('a model without links, or with links that change nothing, runs exactly as before (same trace hash)', () => {
  const network: NetworkSpec = { delay: { type: 'uniform', min: '0.1ms', max: '0.5ms' }, loss: 0.01 };
  const extra: Partial<ModelSpec> = {
    duration: '2s',
    clients: { count: 2, tied: { delay: '1ms' }, timeout: '100ms', health: { interval: '50ms', timeout: '20ms' } },
  };
  const plain = runModel(model(network, extra), 7);
  const empty = runModel(model({ ...network, links: [] }, extra), 7);
  const same = runModel(model({ ...network, links: [{ clients: [0], delay: network.delay!, loss: 0.01 }] }, extra), 7);
  assert.equal(empty.traceHash, plain.traceHash);
  assert.equal(same.traceHash, plain.traceHash);
  assert.deepEqual(same, plain);
  const changed = runModel(model({ ...network, links: [{ clients: [0], servers: [3], loss: 0.5 }] }, extra), 7);
  assert.notEqual(changed.traceHash, plain.traceHash);
});

test('health probes cross their link: a lossy link to a server fails its probes, so the balancer stops picking it', () => {
  // Loss 0.3 on the links to server 3: without health checks its lost attempts only hold its
  // outstanding count up until the timeout, and p2c still sends it some calls; with health checks
  // half its probe round trips (1 − 0.7²) are lost, it is marked unhealthy, and it gets almost none.
  const served = (health: boolean) =>
    runModel(
      model(
        { links: [{ servers: [3], loss: 0.3 }] },
        {
          duration: '5s',
          clients: {
            count: 2,
            picker: 'p2c',
            outlier: false,
            ...(health
              ? { health: { interval: '20ms', timeout: '10ms', unhealthyThreshold: 1, healthyThreshold: 5 } }
              : { panicThreshold: 50 }),
            timeout: '50ms',
          },
        },
      ),
      3,
    ).served;
  const probed = served(true);
  const unprobed = served(false);
  assert.ok(unprobed[3]! > 100, `server 3 served ${unprobed[3]} without health checks`);
  assert.ok(probed[3]! < unprobed[3]! / 5, `server 3 served ${probed[3]} with health checks, ${unprobed[3]} without`);
  assert.ok(probed[0]! > 2500, `server 0 served ${probed[0]}`);
});

test('network values and fields are validated, naming the path', () => {
  const invalid = (network: unknown, path: RegExp) =>
    assert.throws(
      () => runModel(model(network as NetworkSpec), 1),
      (e: unknown) => isHeadroomError(e, 'HR_SIM_INVALID_OPTION') && path.test((e as Error).message),
      String(path),
    );
  invalid('fast', /network/);
  invalid({ loss: 1 }, /network\.loss/);
  invalid({ links: {} }, /network\.links/);
  invalid({ links: [{ delay: constant('1ms') }, 3] }, /network\.links\.1/);
  invalid({ links: [{ servers: [0] }] }, /network\.links\.0.*delay, a loss or both/);
  invalid({ links: [{ delay: constant('1ms') }, { servers: [4], loss: 0.1 }] }, /network\.links\.1\.servers\.0\b/);
  invalid({ links: [{ servers: [0, 1.5], loss: 0.1 }] }, /network\.links\.0\.servers\.1\b/);
  invalid({ links: [{ servers: [], loss: 0.1 }] }, /network\.links\.0\.servers\b/);
  invalid({ links: [{ servers: { group: 2 }, loss: 0.1 }] }, /network\.links\.0\.servers\.group/);
  invalid({ links: [{ clients: [2], loss: 0.1 }] }, /network\.links\.0\.clients\.0/);
  invalid({ links: [{ loss: -0.1 }] }, /network\.links\.0\.loss/);
  invalid({ links: [{ delay: { type: 'exponential', mean: 0 } }] }, /network\.links\.0\.delay\.mean/);
  // Unknown fields, in a model (spec-keys.ts) and in a scenario (the typed scenario error with the path).
  invalid({ links: [{ loss: 0.1 }, { servers: [0], los: 0.1 }] }, /network\.links\.1\.los.*unknown field/);
  invalid({ links: [{ servers: { group: 0, first: 1 }, loss: 0.1 }] }, /network\.links\.0\.servers\.first.*unknown field/);
  invalid({ delay: { type: 'constant', vaule: '1ms' } }, /network\.delay\.vaule.*unknown field/);
  const scenario = (network: unknown) => () => validateScenario({ name: 'n', model: { ...model({}), network } });
  assert.throws(scenario({ delay: constant('1ms'), jitter: 1 }), /model\.network\.jitter: unknown field/);
  assert.throws(scenario({ links: [{ loss: 0.1 }, { servers: [0], los: 0.1 }] }), /model\.network\.links\.1\.los: unknown field/);
  assert.throws(
    scenario({ links: [{ servers: { group: 0, count: 1 }, loss: 0.1 }] }),
    /model\.network\.links\.0\.servers\.count: unknown field/,
  );
  assert.throws(
    scenario({ links: [{ servers: [9], loss: 0.1 }] }),
    (e: unknown) => isHeadroomError(e, 'HR_SIM_INVALID_SCENARIO') && /model\.network\.links\.0\.servers\.0/.test((e as Error).message),
  );
  assert.doesNotThrow(
    scenario({ delay: constant('1ms'), loss: 0.01, links: [{ clients: [0], servers: { group: 1 }, delay: exp('2ms'), loss: 0.1 }] }),
  );
});
