/**
 * A simulated client process: its own picker and one load metric per server, both the real
 * objects of `headroom/balance` (the picker sees the servers through a {@link Candidates} view,
 * exactly as inside a `Balancer`), plus its hedging state — the real `SlidingPercentile` window
 * and `TokenBudget` of `headroom/latency`, driven with the engine's time.
 *
 * With `outlier`, `health` or `panicThreshold` in its spec, the client picks through the real
 * `BalancerCore` instead (ejection.ts), which takes sick servers out of its candidates; without
 * them every server stays a candidate.
 */
import {
  leastLoaded,
  outstanding,
  p2c,
  peakEwma,
  roundRobin,
  uniformRandom,
  type Candidates,
  type LoadMetric,
  type LoadMetricFactory,
  type Picker,
  type PickerFactory,
} from '../balance/index.js';
import { SlidingPercentile, TokenBudget } from '../latency/index.js';
import { parseDuration } from '../core/duration.js';
import type { Random } from '../core/random.js';
import { ClientBalancer, type BalanceConfig, type ProbeHost } from './ejection.js';
import type { SimEngine } from './engine.js';
import { invalidOption } from './errors.js';
import type { HedgeSpec, LoadSpec, PickerSpec } from './model-spec.js';

/** Builds the picker a spec names. */
export function pickerFactory(spec: PickerSpec | undefined, path = 'clients.picker'): PickerFactory {
  const s = spec ?? 'p2c';
  const type = typeof s === 'string' ? s : s.type;
  switch (type) {
    case 'p2c':
      return p2c(typeof s === 'object' && 'choices' in s && s.choices !== undefined ? { choices: s.choices } : {});
    case 'round-robin':
      return roundRobin();
    case 'random':
      return uniformRandom();
    case 'least-loaded':
      return leastLoaded();
    default:
      throw invalidOption(path, spec, 'use p2c, round-robin, random or least-loaded');
  }
}

/** Builds the load metric a spec names. */
export function loadFactory(spec: LoadSpec | undefined, path = 'clients.load'): LoadMetricFactory {
  const s = spec ?? 'outstanding';
  if (s === 'outstanding') return outstanding();
  if (s === 'peak-ewma') return peakEwma();
  if (typeof s === 'object' && s.type === 'peak-ewma') {
    return peakEwma({
      ...(s.decay === undefined ? {} : { decay: s.decay }),
      ...(s.defaultRtt === undefined ? {} : { defaultRtt: s.defaultRtt }),
    });
  }
  throw invalidOption(path, spec, 'use outstanding, peak-ewma or { "type": "peak-ewma", "decay": "1s" }');
}

/** Resolved hedging settings of a client. */
export interface HedgeConfig {
  readonly delayMs: number | undefined;
  readonly percentile: number;
  readonly windowSize: number;
  readonly minSamples: number;
  readonly maxExtra: number;
  readonly budget: false | { readonly ratio: number; readonly maxTokens: number };
  readonly cancelQueued: boolean;
}

/** Validates and fills in a hedge spec. */
export function hedgeConfig(spec: HedgeSpec, path = 'clients.hedge'): HedgeConfig {
  const num = (name: string, v: number | undefined, fallback: number, ok: (x: number) => boolean, expected: string): number => {
    const x = v ?? fallback;
    if (!(typeof x === 'number' && ok(x))) throw invalidOption(`${path}.${name}`, v, expected);
    return x;
  };
  const delayMs = spec.delay === undefined ? undefined : parseDuration(spec.delay, `${path}.delay`);
  const budget = spec.budget ?? { ratio: 0.05, maxTokens: 10 };
  return {
    delayMs,
    percentile: num('percentile', spec.percentile, 95, (x) => x > 0 && x < 100, 'use a percentile between 0 and 100, e.g. 95'),
    windowSize: num('windowSize', spec.windowSize, 1000, (x) => Number.isInteger(x) && x >= 1, 'use a positive integer, e.g. 1000'),
    minSamples: num('minSamples', spec.minSamples, 100, (x) => Number.isInteger(x) && x >= 1, 'use a positive integer, e.g. 100'),
    maxExtra: num('maxExtra', spec.maxExtra, 1, (x) => Number.isInteger(x) && x >= 1, 'use an integer ≥ 1, e.g. 1'),
    budget:
      budget === false
        ? false
        : {
            ratio: num('budget.ratio', budget.ratio, 0.05, (x) => x >= 0 && x <= 1, 'use a fraction of calls from 0 to 1, e.g. 0.05'),
            maxTokens: num('budget.maxTokens', budget.maxTokens, 10, (x) => x >= 1, 'use a burst of at least 1 token, e.g. 10'),
          },
    cancelQueued: spec.cancelQueued ?? false,
  };
}

/** One client: picker, per-server load metrics and in-flight counts, hedging window and budget. */
export class Client implements Candidates {
  readonly size: number;
  readonly listVersion = 0;
  readonly weightVersion = 0;
  readonly inflight: Int32Array;
  totalInflight = 0;
  /** The client's event loop is stalled until this time (responses are seen when it ends). */
  stalledUntil = -Infinity;
  readonly metrics: LoadMetric[];
  readonly picker: Picker;
  readonly window: SlidingPercentile | undefined;
  readonly budget: TokenBudget | undefined;
  /** The balancer core the client picks through, when its spec asks for health checks or ejection. */
  readonly balancer: ClientBalancer | undefined;

  constructor(
    readonly index: number,
    servers: number,
    pickerSpec: PickerFactory,
    loadSpec: LoadMetricFactory,
    readonly hedge: HedgeConfig | undefined,
    random: Random,
    engine: SimEngine,
    balance?: BalanceConfig,
    probes?: ProbeHost,
  ) {
    this.size = servers;
    this.inflight = new Int32Array(servers);
    if (balance === undefined) {
      this.metrics = Array.from({ length: servers }, () => loadSpec.create());
      this.picker = pickerSpec.create({ random: random.fork('picker') });
    } else {
      this.balancer = new ClientBalancer(balance, index, servers, pickerSpec, loadSpec, random.fork('balancer'), engine, probes!);
      this.metrics = this.balancer.metrics;
      this.picker = this.balancer;
    }
    this.window = hedge !== undefined && hedge.delayMs === undefined ? new SlidingPercentile(hedge.windowSize) : undefined;
    this.budget =
      hedge !== undefined && hedge.budget !== false
        ? new TokenBudget({
            clock: engine.clock,
            ratio: hedge.budget.ratio,
            minPerSec: 0,
            maxTokens: hedge.budget.maxTokens,
            initialTokens: 0,
          })
        : undefined;
  }

  weight(): number {
    return 1;
  }

  load(i: number, now: number): number {
    return this.metrics[i]!.load(now);
  }

  id(i: number): string {
    return `s${i}`;
  }

  /** The hedge delay a call starting now would use; undefined while the adaptive window fills. */
  hedgeDelay(): number | undefined {
    const h = this.hedge;
    if (h === undefined) return undefined;
    if (h.delayMs !== undefined) return h.delayMs;
    const w = this.window!;
    return w.count < h.minSamples ? undefined : Math.max(1, w.percentile(h.percentile));
  }
}
