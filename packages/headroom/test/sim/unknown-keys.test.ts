/**
 * Every object of a model rejects a field it does not know — a misspelling is one error naming its
 * path and the accepted fields, never a default silently taken: `HR_SIM_INVALID_OPTION` from
 * `runModel`, `HR_SIM_INVALID_SCENARIO` from `validateScenario` (the path under `model.` or
 * `variants.N.`). Each case is a valid model that runs; the same model with the misspelled field
 * added fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { runModel, validateScenario, type DistributionSpec, type ModelSpec } from '../../src/sim/index.js';

const service: DistributionSpec = { type: 'exponential', mean: '1ms' };
const base: ModelSpec = {
  duration: '200ms',
  arrivals: { type: 'poisson', ratePerSec: 1000 },
  servers: [{ count: 4, workers: 2, service }],
};
const pause = { interval: { type: 'constant', value: '50ms' }, duration: { type: 'constant', value: '1ms' } } as const;
const keyed = { keys: { type: 'zipf', count: 100, exponent: 1 } } as const;

const withService = (s: DistributionSpec): ModelSpec => ({ ...base, servers: [{ count: 4, workers: 2, service: s }] });
const withGroup = (g: object): ModelSpec => ({ ...base, servers: [{ count: 4, workers: 2, service, ...g }] });
const withClients = (c: object): ModelSpec => ({ ...base, clients: c });

interface Case {
  /** The object the misspelled field is added to. */
  readonly at: string;
  /** The misspelled field. */
  readonly typo: string;
  /** A valid model holding that object. */
  readonly model: ModelSpec;
}

const cases: Case[] = [
  { at: '', typo: 'sevrers', model: base },
  // every distribution type
  { at: 'servers.0.service', typo: 'valeu', model: withService({ type: 'constant', value: '1ms' }) },
  { at: 'servers.0.service', typo: 'meam', model: withService({ type: 'exponential', mean: '1ms' }) },
  { at: 'servers.0.service', typo: 'maxx', model: withService({ type: 'uniform', min: '1ms', max: '2ms' }) },
  { at: 'servers.0.service', typo: 'sigmaa', model: withService({ type: 'lognormal', median: '1ms', sigma: 0.5 }) },
  { at: 'servers.0.service', typo: 'shap', model: withService({ type: 'pareto', scale: '1ms', shape: 2.5 }) },
  {
    at: 'servers.0.service',
    typo: 'slowProb',
    model: withService({ type: 'bimodal', fast: service, slow: { type: 'constant', value: '5ms' }, slowProbability: 0.1 }),
  },
  {
    at: 'servers.0.service.slow',
    typo: 'meen',
    model: withService({ type: 'bimodal', fast: service, slow: { type: 'exponential', mean: '5ms' }, slowProbability: 0.1 }),
  },
  { at: 'servers.0.service', typo: 'part', model: withService({ type: 'mixture', parts: [{ weight: 1, dist: service }] }) },
  { at: 'servers.0.service.parts.0', typo: 'wieght', model: withService({ type: 'mixture', parts: [{ weight: 1, dist: service }] }) },
  {
    at: 'servers.0.service.parts.0.dist',
    typo: 'mea',
    model: withService({ type: 'mixture', parts: [{ weight: 1, dist: { type: 'exponential', mean: '1ms' } }] }),
  },
  {
    at: 'servers.0.service',
    typo: 'bucket',
    model: withService({
      type: 'empirical',
      buckets: [
        [1, 10],
        [2, 5],
      ],
    }),
  },
  // every arrival type
  { at: 'arrivals', typo: 'rate', model: { ...base, arrivals: { type: 'poisson', ratePerSec: 1000 } } },
  { at: 'arrivals', typo: 'ratePerSecond', model: { ...base, arrivals: { type: 'constant', ratePerSec: 1000 } } },
  {
    at: 'arrivals',
    typo: 'state',
    model: { ...base, arrivals: { type: 'mmpp', states: [{ ratePerSec: 1000, meanDuration: '50ms' }] } },
  },
  {
    at: 'arrivals.states.0',
    typo: 'meanDurration',
    model: { ...base, arrivals: { type: 'mmpp', states: [{ ratePerSec: 1000, meanDuration: '50ms' }] } },
  },
  {
    at: 'arrivals',
    typo: 'possion',
    model: {
      ...base,
      arrivals: {
        type: 'timeline',
        points: [
          [0, 1000],
          [100, 500],
        ],
        poisson: false,
      },
    },
  },
  // every fault kind
  { at: 'faults.0', typo: 'server', model: { ...base, faults: [{ atMs: 50, action: 'crash', servers: [1] }] } },
  {
    at: 'faults.1',
    typo: 'at',
    model: {
      ...base,
      faults: [
        { atMs: 50, action: 'crash', servers: [1] },
        { atMs: 100, action: 'restart', servers: [1] },
      ],
    },
  },
  { at: 'faults.0', typo: 'factr', model: { ...base, faults: [{ atMs: 50, action: 'slow', servers: [1], factor: 4 }] } },
  { at: 'faults.0', typo: 'factor', model: { ...base, faults: [{ atMs: 50, action: 'recover', servers: [1] }] } },
  { at: 'faults.0', typo: 'client', model: { ...base, faults: [{ atMs: 50, action: 'partition', servers: [1], clients: [0] }] } },
  { at: 'faults.0', typo: 'factor', model: { ...base, faults: [{ atMs: 50, action: 'heal', servers: [1], clients: [0] }] } },
  // fan-out
  { at: 'fanOut', typo: 'leafs', model: { ...base, fanOut: { leaves: 2 } } },
  { at: 'fanOut.complete', typo: 'quorom', model: { ...base, fanOut: { leaves: 3, complete: { quorum: 2 } } } },
  { at: 'fanOut.complete', typo: 'deadlin', model: { ...base, fanOut: { leaves: 3, complete: { deadline: '5ms' } } } },
  // keys, partitioners, caches
  { at: 'keys', typo: 'exponant', model: { ...base, ...keyed } },
  { at: 'keys', typo: 'files', model: { ...base, keys: { type: 'trace', keys: ['a', 'b', 'a'] } } },
  { at: 'partitioner', typo: 'loadfactor', model: { ...base, ...keyed, partitioner: { type: 'bounded-load', loadFactor: 1.25 } } },
  { at: 'partitioner', typo: 'vnodes', model: { ...base, ...keyed, partitioner: { type: 'ketama' } } },
  { at: 'servers.0.cache', typo: 'size', model: { ...withGroup({ cache: { capacity: 10, policy: 'lru' } }), ...keyed } },
  // pauses and stalls, and the distributions in them
  { at: 'servers.0.pauses', typo: 'intervall', model: withGroup({ pauses: pause }) },
  { at: 'servers.0.pauses.duration', typo: 'values', model: withGroup({ pauses: pause }) },
  { at: 'machinePauses', typo: 'durations', model: { ...base, machinePauses: pause } },
  { at: 'clients.stalls', typo: 'every', model: withClients({ stalls: pause }) },
  { at: 'clients.stalls.interval', typo: 'mean', model: withClients({ stalls: pause }) },
  // servers, limiters
  { at: 'servers.0', typo: 'worker', model: base },
  { at: 'servers.0.limiter', typo: 'queue', model: withGroup({ limiter: { algorithm: 'gradient2' } }) },
  { at: 'servers.0.limiter.options', typo: 'minLimt', model: withGroup({ limiter: { algorithm: 'gradient2', options: { minLimit: 5 } } }) },
  { at: 'servers.0.limiter.options', typo: 'minLimit', model: withGroup({ limiter: { algorithm: 'vegas', options: { smoothing: 0.5 } } }) },
  {
    at: 'servers.0.limiter.options',
    typo: 'backoff',
    model: withGroup({ limiter: { algorithm: 'aimd', options: { backoffRatio: 0.8 } } }),
  },
  { at: 'servers.0.limiter.options', typo: 'limit', model: withGroup({ limiter: { algorithm: 'fixed', limit: 8, options: {} } }) },
  {
    at: 'servers.0.limiter.windowed',
    typo: 'minWindowMs',
    model: withGroup({ limiter: { algorithm: 'vegas', windowed: { minWindow: 100, maxWindow: 200 } } }),
  },
  // clients: picker and load object forms, policies, balancer options
  { at: 'clients', typo: 'pickr', model: withClients({ count: 2 }) },
  { at: 'clients.picker', typo: 'choice', model: withClients({ picker: { type: 'p2c', choices: 3 } }) },
  { at: 'clients.picker', typo: 'choices', model: withClients({ picker: { type: 'round-robin' } }) },
  { at: 'clients.picker', typo: 'seed', model: withClients({ picker: { type: 'random' } }) },
  { at: 'clients.picker', typo: 'choices', model: withClients({ picker: { type: 'least-loaded' } }) },
  { at: 'clients.picker', typo: 'weights', model: withClients({ picker: { type: 'smooth-wrr' } }) },
  { at: 'clients.picker', typo: 'weights', model: withClients({ picker: { type: 'weighted-random' } }) },
  { at: 'clients.picker', typo: 'probesPerQery', model: withClients({ picker: { type: 'prequal', probesPerQuery: 2 } }) },
  { at: 'clients.picker', typo: 'minApperture', model: withClients({ picker: { type: 'aperture', minAperture: 2 } }) },
  { at: 'clients.picker', typo: 'ratecontrol', model: withClients({ picker: { type: 'c3', rateControl: false } }) },
  { at: 'clients.load', typo: 'decy', model: withClients({ load: { type: 'peak-ewma', decay: '1s' } }) },
  { at: 'clients.hedge', typo: 'dealy', model: withClients({ hedge: { delay: '2ms' } }) },
  { at: 'clients.hedge.budget', typo: 'maxToken', model: withClients({ hedge: { delay: '2ms', budget: { ratio: 0.1 } } }) },
  { at: 'clients.tied', typo: 'delays', model: withClients({ tied: { delay: '1ms' } }) },
  { at: 'clients.retry', typo: 'attempts', model: withClients({ retry: { maxAttempts: 2 } }) },
  { at: 'clients.retry.budget', typo: 'ratioo', model: withClients({ retry: { budget: { ratio: 0.2 } } }) },
  { at: 'clients.retry.backoff', typo: 'jiter', model: withClients({ retry: { backoff: { jitter: 'full' } } }) },
  { at: 'clients.deadline', typo: 'timout', model: withClients({ deadline: { timeout: '50ms' } }) },
  { at: 'clients.outlier', typo: 'consecutiveError', model: withClients({ outlier: { consecutiveErrors: 3 } }) },
  { at: 'clients.outlier.ejectionBackoff', typo: 'initail', model: withClients({ outlier: { ejectionBackoff: { initial: '1s' } } }) },
  { at: 'clients.outlier.successRate', typo: 'minimumHost', model: withClients({ outlier: { successRate: { minimumHosts: 2 } } }) },
  { at: 'clients.outlier.latency', typo: 'percentil', model: withClients({ outlier: { latency: { percentile: 95 } } }) },
  { at: 'clients.health', typo: 'intervalMs', model: withClients({ health: { interval: '50ms' } }) },
  { at: 'clients.slowStart', typo: 'windowMs', model: withClients({ slowStart: { window: '50ms' } }) },
];

/** A copy of `m` with `key: value` added to the object at `path` ('' for the model itself). */
function withField(m: ModelSpec, path: string, key: string, value: unknown): ModelSpec {
  const copy = structuredClone(m) as unknown as Record<string, unknown>;
  let o = copy;
  for (const part of path === '' ? [] : path.split('.')) o = o[part] as Record<string, unknown>;
  assert.equal(typeof o, 'object', `${path} is an object of the model`);
  assert.ok(!(key in o), `${key} is not a field of ${path} already`);
  o[key] = value;
  return copy as unknown as ModelSpec;
}

/** The error `fn` throws (asserting that it throws a Headroom error). */
function thrown(fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    assert.ok(isHeadroomError(e), String(e));
    return { code: e.code, message: e.message, details: e.details as Record<string, unknown> };
  }
  assert.fail('expected an error');
}

test('the valid base model runs, and so does every valid model of the table', () => {
  const r = runModel(base, 1);
  assert.ok(r.calls > 0 && r.ok === r.calls, `calls ${r.calls}, ok ${r.ok}`);
  for (const c of cases) assert.doesNotThrow(() => runModel(c.model, 1), `${c.at || 'model'} (${c.typo})`);
});

test('a misspelled field in any object of a model fails runModel with HR_SIM_INVALID_OPTION naming its path and the accepted fields', () => {
  for (const c of cases) {
    const path = c.at === '' ? c.typo : `${c.at}.${c.typo}`;
    const e = thrown(() => runModel(withField(c.model, c.at, c.typo, 1), 1));
    assert.equal(e.code, 'HR_SIM_INVALID_OPTION', path);
    assert.equal(e.details['option'], path);
    assert.match(e.message, /unknown field; (expected one of |none are accepted here)/, path);
    // The accepted fields include those the valid object uses.
    const valid = c.at === '' ? c.model : (c.at.split('.').reduce((o: any, k) => o[k], c.model) as object); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const k of Object.keys(valid)) assert.match(e.message, new RegExp(`[ ,]${k}(,|\\.$)`), `${path} lists ${k}`);
  }
});

test('a misspelled field fails validateScenario with HR_SIM_INVALID_SCENARIO naming its path, in the model and in a variant', () => {
  for (const c of cases) {
    const path = c.at === '' ? c.typo : `${c.at}.${c.typo}`;
    const inModel = thrown(() => validateScenario({ name: 'typo', model: withField(c.model, c.at, c.typo, 1) }));
    assert.equal(inModel.code, 'HR_SIM_INVALID_SCENARIO', path);
    assert.equal(inModel.details['path'], `model.${path}`);
    assert.match(String(inModel.details['reason']), /^unknown field; /);
    assert.doesNotThrow(() => validateScenario({ name: 'ok', model: c.model }), path);
    const field = path.split('.')[0]!;
    if (c.at === '') continue;
    const variant = withField(c.model, c.at, c.typo, 1) as unknown as Record<string, unknown>;
    const inVariant = thrown(() => validateScenario({ name: 'typo', model: base, variants: [{ name: 'v', [field]: variant[field] }] }));
    assert.equal(inVariant.code, 'HR_SIM_INVALID_SCENARIO', path);
    assert.equal(inVariant.details['path'], `variants.0.${path}`);
  }
});

test('a fan-out completes on a quorum or a deadline, not both', () => {
  const e = thrown(() => runModel({ ...base, fanOut: { leaves: 3, complete: { quorum: 2, deadline: '5ms' } as never } }, 1));
  assert.equal(e.code, 'HR_SIM_INVALID_OPTION');
  assert.equal(e.details['option'], 'fanOut.complete.deadline');
});

test('a list that is not one is named, not a crash', () => {
  const e = thrown(() => runModel({ ...base, faults: { atMs: 0, action: 'crash', servers: [0] } as never }, 1));
  assert.equal(e.code, 'HR_SIM_INVALID_OPTION');
  assert.equal(e.details['option'], 'faults');
});
