/**
 * The field names a model may use, object by object: every object of a {@link ModelSpec} (and a
 * scenario's variants) is checked against them, so a misspelled field — `sigmaa` for `sigma` — is
 * an error naming its path and the fields that would be accepted, instead of a default silently
 * taken. One walk serves both entries: `validateScenario` (files and scenario objects,
 * `HR_SIM_INVALID_SCENARIO`) and building a model (`runModel`, `checkModel`,
 * `HR_SIM_INVALID_OPTION`). Objects whose kind is chosen by a field (`type` of a distribution,
 * `action` of a fault) are checked against the fields of that kind; an unknown kind, a value of the
 * wrong type or a missing field is left to the builders, which name it with a better reason.
 */
import { invalidOption } from './errors.js';
import type { ModelSpec } from './model-spec.js';

/** The first unknown field (or non-object where an object is required): its path, value and why. */
export interface KeyProblem {
  readonly path: string;
  readonly value: unknown;
  readonly reason: string;
}

type Check = (v: unknown, path: string) => KeyProblem | undefined;
type Fields = Readonly<Record<string, Check | null>>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

/**
 * The first problem of an object against its allowed fields: not an object, or a field not in `allowed`.
 * @param path - the object's path, e.g. `servers.0.service` ('' for the root)
 */
export function objectProblem(v: unknown, allowed: readonly string[], path: string): KeyProblem | undefined {
  if (!isObject(v)) return { path, value: v, reason: 'expected an object' };
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k))
      return {
        path: at(path, k),
        value: v[k],
        reason: allowed.length === 0 ? 'unknown field; none are accepted here' : `unknown field; expected one of ${allowed.join(', ')}`,
      };
  }
  return undefined;
}

/** An object of these fields; `required` makes a non-object a problem (else it is left to the builder). */
function object(fields: Fields, required = false): Check {
  const allowed = Object.keys(fields);
  return (v, path) => {
    if (!isObject(v) && !required) return undefined;
    const problem = objectProblem(v, allowed, path);
    if (problem !== undefined) return problem;
    const o = v as Record<string, unknown>;
    for (const k of allowed) {
      const check = fields[k];
      if (check && o[k] !== undefined) {
        const p = check(o[k], at(path, k));
        if (p !== undefined) return p;
      }
    }
    return undefined;
  };
}

/** An object whose fields depend on its `field` (`type`, `action`); an unknown kind is left to the builder. */
function kinds(field: string, byKind: Readonly<Record<string, Fields>>): Check {
  const checks = new Map(Object.entries(byKind).map(([kind, fields]) => [kind, object({ [field]: null, ...fields })]));
  return (v, path) => {
    if (!isObject(v)) return undefined;
    const check = typeof v[field] === 'string' ? checks.get(v[field]) : undefined;
    return check?.(v, path);
  };
}

/** A list of `item`; with `what` (e.g. `faults`), a non-list is a problem (else it is left to the builder). */
function list(item: Check, what?: string): Check {
  return (v, path) => {
    if (!Array.isArray(v)) return what === undefined ? undefined : { path, value: v, reason: `expected a list of ${what}` };
    for (let i = 0; i < v.length; i++) {
      const p = item(v[i], at(path, i));
      if (p !== undefined) return p;
    }
    return undefined;
  };
}

/** `check`, except for the value `false` (an option switched off). */
function unlessFalse(check: Check): Check {
  return (v, path) => (v === false ? undefined : check(v, path));
}

const distribution: Check = (v, path) => distributionKinds(v, path);
const distributionKinds: Check = kinds('type', {
  constant: { value: null },
  exponential: { mean: null },
  uniform: { min: null, max: null },
  lognormal: { median: null, sigma: null },
  pareto: { scale: null, shape: null },
  bimodal: { fast: distribution, slow: distribution, slowProbability: null },
  mixture: { parts: list(object({ weight: null, dist: distribution })) },
  empirical: { buckets: null },
});

const pauses = object({ interval: distribution, duration: distribution });

const arrivals = kinds('type', {
  poisson: { ratePerSec: null },
  constant: { ratePerSec: null },
  mmpp: { states: list(object({ ratePerSec: null, meanDuration: null })) },
  timeline: { points: null, poisson: null },
});

const picker = kinds('type', {
  p2c: { choices: null },
  'round-robin': {},
  random: {},
  'least-loaded': {},
  'smooth-wrr': {},
  'weighted-random': {},
  prequal: { probesPerQuery: null, poolSize: null, maxAge: null, qRif: null, removalsPerQuery: null, maxProbesInFlight: null },
  aperture: { minAperture: null },
  c3: { rateControl: null, choices: null },
});

const load = kinds('type', { 'peak-ewma': { decay: null, defaultRtt: null } });

const backoff = object({ initial: null, max: null, multiplier: null, jitter: null }, true);

const hedge = object(
  {
    delay: null,
    percentile: null,
    windowSize: null,
    minSamples: null,
    maxExtra: null,
    budget: unlessFalse(object({ ratio: null, maxTokens: null }, true)),
    cancelQueued: null,
  },
  true,
);

const retry = object(
  {
    maxAttempts: null,
    budget: unlessFalse(object({ ratio: null, minPerSec: null, maxTokens: null }, true)),
    backoff,
    attemptTimeout: null,
  },
  true,
);

const outlier = unlessFalse(
  object({
    consecutiveErrors: null,
    interval: null,
    ejectionBackoff: backoff,
    maxEjectionPercent: null,
    successRate: object({ minimumHosts: null, requestVolume: null, stdevFactor: null }),
    latency: object({ percentile: null, factor: null, minLatency: null, minimumHosts: null, requestVolume: null }),
  }),
);

const clients = object(
  {
    count: null,
    picker,
    load,
    hedge,
    timeout: null,
    stalls: pauses,
    stallsAt: object({ at: null, every: null }),
    outlier,
    health: object({
      interval: null,
      jitterPercent: null,
      timeout: null,
      healthyThreshold: null,
      unhealthyThreshold: null,
      startHealthy: null,
    }),
    panicThreshold: null,
    tied: object({ delay: null }, true),
    retry,
    slowStart: object({ window: null, aggression: null, minWeightPercent: null }),
    deadline: object({ timeout: null, minRemaining: null, reserve: null, propagate: null }, true),
  },
  true,
);

/** The options of each limit algorithm (`servers.N.limiter.options`): those of `headroom/latency`'s limits. */
const LIMIT_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  gradient2: ['initialLimit', 'minLimit', 'maxConcurrency', 'smoothing', 'queueSize', 'longWindow', 'rttTolerance'],
  vegas: ['initialLimit', 'maxConcurrency', 'smoothing', 'probeMultiplier'],
  aimd: ['initialLimit', 'minLimit', 'maxLimit', 'backoffRatio', 'timeout'],
  fixed: [],
};

const limiterFields = object(
  {
    algorithm: null,
    limit: null,
    options: null,
    windowed: object({ minWindow: null, maxWindow: null, windowSize: null, minRttThreshold: null }),
    queueSize: null,
    queueTimeout: null,
  },
  true,
);

const limiter: Check = (v, path) => {
  const problem = limiterFields(v, path);
  if (problem !== undefined) return problem;
  const { algorithm: a, options } = v as { algorithm?: unknown; options?: unknown };
  const allowed = typeof a === 'string' && Object.hasOwn(LIMIT_OPTIONS, a) ? LIMIT_OPTIONS[a]! : undefined;
  return allowed === undefined || !isObject(options) ? undefined : objectProblem(options, allowed, at(path, 'options'));
};

const group = object(
  {
    count: null,
    workers: null,
    discipline: null,
    service: distribution,
    pauses,
    pausesAt: object({ at: null, every: null }),
    limiter,
    cache: object({ capacity: null, policy: null }, true),
  },
  true,
);

const complete: Check = (v, path) => {
  if (!isObject(v)) return undefined;
  const problem = objectProblem(v, ['quorum', 'deadline'], path);
  if (problem !== undefined) return problem;
  return 'quorum' in v && 'deadline' in v
    ? { path: at(path, 'deadline'), value: v['deadline'], reason: 'give quorum or deadline, not both' }
    : undefined;
};

const fault = kinds('action', {
  crash: { atMs: null, servers: null },
  restart: { atMs: null, servers: null },
  recover: { atMs: null, servers: null },
  slow: { atMs: null, servers: null, factor: null },
  partition: { atMs: null, servers: null, clients: null },
  heal: { atMs: null, servers: null, clients: null },
});

const MODEL_FIELDS: Fields = {
  duration: null,
  warmup: null,
  arrivals,
  clients,
  servers: list(group, 'server groups'),
  network: object({
    delay: distribution,
    loss: null,
    links: list(
      object({
        clients: null,
        servers: (v, path) => (isObject(v) ? objectProblem(v, ['group'], path) : undefined),
        delay: distribution,
        loss: null,
      }),
    ),
  }),
  fanOut: object({ leaves: null, complete }),
  faults: list(fault, 'faults'),
  machinePauses: pauses,
  slo: null,
  queueTailLength: null,
  keys: kinds('type', { zipf: { count: null, exponent: null }, trace: { keys: null, file: null } }),
  partitioner: kinds('type', {
    ketama: {},
    rendezvous: {},
    jump: {},
    maglev: {},
    'bounded-load': { loadFactor: null },
  }),
  series: null,
};

/** The top-level fields of a model. */
export const MODEL_KEYS: readonly string[] = Object.keys(MODEL_FIELDS);

const model = object(MODEL_FIELDS, true);
const variant = object({ name: null, ...MODEL_FIELDS }, true);

/**
 * The first unknown field in a model (or, with `variant`, a scenario variant: a name and model
 * fields), walking every object it holds.
 * @param path - where the model sits (`model`, `variants.1`; '' for a bare model)
 */
export function modelKeyProblem(m: unknown, path: string, isVariant = false): KeyProblem | undefined {
  return (isVariant ? variant : model)(m, path);
}

/**
 * Rejects a model with an unknown field anywhere in it.
 * @throws HR_SIM_INVALID_OPTION naming the field's path (`servers.0.service.sigmaa`) and the accepted fields
 */
export function checkModelKeys(spec: ModelSpec): void {
  const problem = modelKeyProblem(spec, '');
  if (problem !== undefined) throw invalidOption(problem.path === '' ? 'model' : problem.path, problem.value, problem.reason);
}
