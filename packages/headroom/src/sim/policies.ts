/**
 * The latency policies a simulated client runs, as the synchronous decision cores of
 * `headroom/latency` — the same classes the async `HedgePolicy`, `TiedPolicy`, `RetryPolicy` and
 * `Deadline` drive: {@link HedgeCore} (when a backup goes, the budget, which attempt won),
 * {@link TiedCore} (the stagger, the winner), {@link RetryCore} (retry or give up, the backoff,
 * the retry budget) and {@link DeadlineBudget} (time left, may work start). The model's spec is
 * checked here once, every error naming its path in the model (`clients.hedge.budget.ratio`).
 */
import { parseDuration } from '../core/duration.js';
import type { Random } from '../core/random.js';
import { HedgeCore, RetryCore, TiedCore, TokenBudget, type HedgeOptions, type RetryOptions } from '../latency/index.js';
import type { SimEngine } from './engine.js';
import { invalidOption, relabelled } from './errors.js';
import type { ClientSpec } from './model-spec.js';

/** The deadline settings of a client's calls, in ms. */
export interface DeadlineConfig {
  readonly timeoutMs: number;
  readonly minRemainingMs: number;
  readonly reserveMs: number;
  readonly propagate: boolean;
}

/** A client spec's policies, validated; every client builds its own cores from it. */
export interface PolicyConfig {
  /** HedgeCore options (without clock and budget), when the calls are hedged. */
  readonly hedge: HedgeOptions | undefined;
  /** The hedge budget's TokenBudget options, or false for none. */
  readonly hedgeBudget: false | { readonly ratio: number; readonly maxTokens: number };
  /** Withdraw losing hedges from their servers' queues. */
  readonly cancelQueued: boolean;
  /** The tied-request stagger, ms, when the calls are tied. */
  readonly tiedDelayMs: number | undefined;
  /** RetryCore options (without clock and random), when failed calls are retried. */
  readonly retry: RetryOptions | undefined;
  /** The retry's per-attempt timeout, ms, when set. */
  readonly attemptTimeoutMs: number | undefined;
  /** Per-call deadline, when set. */
  readonly deadline: DeadlineConfig | undefined;
}

/**
 * Checks the hedge, tied, retry and deadline parts of a client spec.
 * @throws HR_SIM_INVALID_OPTION (or HR_CORE_INVALID_DURATION) naming the field, e.g. `clients.retry.maxAttempts`
 */
export function policyConfig(c: ClientSpec): PolicyConfig {
  const h = c.hedge;
  if (h !== undefined && c.tied !== undefined)
    throw invalidOption('clients.tied', c.tied, 'use either hedge or tied for a client, not both');
  let hedge: HedgeOptions | undefined;
  let hedgeBudget: PolicyConfig['hedgeBudget'] = false;
  if (h !== undefined) {
    if (typeof h !== 'object' || h === null) throw invalidOption('clients.hedge', h, 'use an object, e.g. { "delay": "10ms" }');
    const budget = h.budget ?? { ratio: 0.05, maxTokens: 10 };
    if (budget !== false) {
      hedgeBudget = { ratio: budget.ratio ?? 0.05, maxTokens: budget.maxTokens ?? 10 };
      const tokens = hedgeBudget;
      relabelled('clients.hedge.budget', () => hedgeTokens(tokens));
    }
    hedge = {
      ...(h.delay === undefined ? {} : { delay: parseDuration(h.delay, 'clients.hedge.delay') }),
      ...(h.percentile === undefined ? {} : { percentile: h.percentile }),
      ...(h.windowSize === undefined ? {} : { windowSize: h.windowSize }),
      ...(h.minSamples === undefined ? {} : { minSamples: h.minSamples }),
      ...(h.maxExtra === undefined ? {} : { maxExtra: h.maxExtra }),
    };
    relabelled('clients.hedge', () => new HedgeCore({ ...hedge, budget: false }));
  }
  const tiedDelayMs = c.tied === undefined ? undefined : tiedDelay(c.tied);
  let retry: RetryOptions | undefined;
  let attemptTimeoutMs: number | undefined;
  if (c.retry !== undefined) {
    const r = c.retry;
    if (typeof r !== 'object' || r === null) throw invalidOption('clients.retry', r, 'use an object, e.g. { "maxAttempts": 3 }');
    retry = {
      ...(r.maxAttempts === undefined ? {} : { maxAttempts: r.maxAttempts }),
      ...(r.backoff === undefined ? {} : { backoff: r.backoff }),
      budget: r.budget === false ? false : { ...r.budget },
    };
    if (r.budget !== undefined && r.budget !== false) relabelled('clients.retry.budget', () => new TokenBudget({ ...r.budget }));
    relabelled('clients.retry', () => new RetryCore({ ...retry, budget: false }));
    if (r.attemptTimeout !== undefined) {
      attemptTimeoutMs = parseDuration(r.attemptTimeout, 'clients.retry.attemptTimeout');
      if (!(attemptTimeoutMs > 0))
        throw invalidOption('clients.retry.attemptTimeout', r.attemptTimeout, "use a positive duration, e.g. '100ms'");
    }
  }
  return {
    hedge,
    hedgeBudget,
    cancelQueued: h?.cancelQueued === true,
    tiedDelayMs,
    retry,
    attemptTimeoutMs,
    deadline: deadlineConfig(c.deadline),
  };
}

function tiedDelay(t: NonNullable<ClientSpec['tied']>): number {
  if (typeof t !== 'object' || t === null) throw invalidOption('clients.tied', t, 'use an object, e.g. { "delay": "1ms" }');
  return t.delay === undefined ? 1 : parseDuration(t.delay, 'clients.tied.delay');
}

function deadlineConfig(d: ClientSpec['deadline']): DeadlineConfig | undefined {
  if (d === undefined) return undefined;
  if (typeof d !== 'object' || d === null) throw invalidOption('clients.deadline', d, 'use an object, e.g. { "timeout": "200ms" }');
  if (d.timeout === undefined) throw invalidOption('clients.deadline.timeout', d.timeout, "give the calls' budget, e.g. '200ms'");
  const timeoutMs = parseDuration(d.timeout, 'clients.deadline.timeout');
  if (!(timeoutMs > 0)) throw invalidOption('clients.deadline.timeout', d.timeout, "use a positive duration, e.g. '200ms'");
  if (d.propagate !== undefined && typeof d.propagate !== 'boolean')
    throw invalidOption('clients.deadline.propagate', d.propagate, 'use true or false');
  return {
    timeoutMs,
    minRemainingMs: d.minRemaining === undefined ? 0 : parseDuration(d.minRemaining, 'clients.deadline.minRemaining'),
    reserveMs: d.reserve === undefined ? 0 : parseDuration(d.reserve, 'clients.deadline.reserve'),
    propagate: d.propagate ?? true,
  };
}

function hedgeTokens(b: { readonly ratio: number; readonly maxTokens: number }, engine?: SimEngine): TokenBudget {
  return new TokenBudget({
    ...(engine === undefined ? {} : { clock: engine.clock }),
    ratio: b.ratio,
    minPerSec: 0,
    maxTokens: b.maxTokens,
    initialTokens: 0,
  });
}

/** One client's policy cores, on the engine's clock and the client's random stream. */
export class ClientPolicies {
  /** The hedge core, when the calls are hedged. */
  readonly hedge: HedgeCore | undefined;
  /** The tied-request core, when the calls are tied. */
  readonly tied: TiedCore | undefined;
  /** The retry core, when failed calls are retried. */
  readonly retry: RetryCore | undefined;

  constructor(
    readonly config: PolicyConfig,
    engine: SimEngine,
    random: Random,
  ) {
    const clock = engine.clock;
    const b = config.hedgeBudget;
    this.hedge =
      config.hedge === undefined
        ? undefined
        : new HedgeCore({ ...config.hedge, clock, budget: b === false ? false : hedgeTokens(b, engine) });
    this.tied = config.tiedDelayMs === undefined ? undefined : new TiedCore({ clock, random, delay: config.tiedDelayMs });
    this.retry = config.retry === undefined ? undefined : new RetryCore({ ...config.retry, clock, random });
  }
}
