/**
 * FaultInjector: decides, per call, whether a fault fires (a pure synchronous core over the
 * injected clock and random), and drives the decision for async calls (a thin wrapper). Rules
 * are tried in order; the first that fires wins. A rule fires when the kill switch is off, the
 * injector is armed, its selector takes the key, its count is not used up, and a draw with
 * probability × schedule intensity succeeds. O(rules) per call.
 */
import { sleep, systemClock, type Clock } from '../core/clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import { Emitter, type Disposable, type Listener } from '../core/events.js';
import { defaultRandom, type Random } from '../core/random.js';
import { compileSelector, type Selector, type SelectorSpec } from './blast-radius.js';
import { chaosOption, InjectedFaultError, nonNegativeOption, probabilityOption } from './errors.js';
import { killSwitch } from './kill-switch.js';
import { latencyModel, type LatencyModel, type LatencySpec } from './latency-model.js';
import { compileSchedule, type Schedule, type ScheduleSpec } from './schedule.js';

/** What a fault does after its delay (none: the call goes through, only delayed). */
export type FaultOutcome = 'pass' | 'error' | 'status' | 'timeout' | 'hang' | 'abort';

/** One fault rule. Give a `latency`, an outcome, or both (the delay comes first). */
export interface FaultRule {
  /** Name in events and stats (default `fault-<index>`). */
  readonly name?: string;
  /** Delay added before the outcome (or before the real call). */
  readonly latency?: LatencySpec;
  /** Fail with an {@link InjectedFaultError}; a string is its message. */
  readonly error?: true | string;
  /** Fail with this HTTP status (HTTP adapters answer it; elsewhere an InjectedFaultError with `status`). */
  readonly status?: number;
  /** Wait this long, then fail as a timeout. */
  readonly timeout?: Duration;
  /** Never answer until the caller's signal aborts (or the fault is disarmed or killed: then the call goes through). */
  readonly hang?: true;
  /** Fail as a reset connection (HTTP server adapters destroy the socket). */
  readonly abort?: true;
  /** Chance that the rule fires on a selected call, in [0, 1]. Default 1. */
  readonly probability?: number;
  /** Fire at most this many times in all (then the rule heals). Default unlimited. */
  readonly maxCount?: number;
  /** Which keys the rule may touch. Default all calls. */
  readonly select?: SelectorSpec;
  /** When the rule applies, from {@link FaultInjector.start}. Default always. */
  readonly schedule?: ScheduleSpec;
}

/** A fault that fired for one call. */
export interface FaultDecision {
  /** The rule's name. */
  readonly rule: string;
  /** Delay before the outcome, ms. */
  readonly delayMs: number;
  /** What happens after the delay. */
  readonly outcome: FaultOutcome;
  /** For `status`: the HTTP status. */
  readonly status?: number;
  /** For `timeout`: how long the call waits before failing, ms. */
  readonly timeoutMs?: number;
  /** For `error`: the message. */
  readonly message?: string;
}

/** An event: a fault fired for `key` at `atMs` (the clock's `now()`). */
export interface FaultEvent extends FaultDecision {
  readonly type: 'fault-fired';
  readonly key: string | undefined;
  readonly atMs: number;
}

/** Options of {@link FaultInjector}. */
export interface FaultInjectorOptions {
  /** The rules, tried in order. */
  readonly faults: readonly FaultRule[];
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: seeded from HEADROOM_SEED or entropy; each rule draws from `random.fork(name)`. */
  readonly random?: Random;
  /** Start armed (default true). */
  readonly armed?: boolean;
}

/** Per-rule counters. */
export interface FaultRuleStats {
  readonly name: string;
  /** Times the rule fired. */
  readonly fired: number;
}

interface CompiledRule {
  readonly name: string;
  readonly latency: LatencyModel | undefined;
  readonly outcome: FaultOutcome;
  readonly status: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly message: string | undefined;
  readonly probability: number;
  readonly maxCount: number;
  readonly selector: Selector;
  readonly schedule: Schedule;
  readonly random: Random;
  fired: number;
}

/**
 * Injects faults into calls.
 * @throws HR_CHAOS_INVALID_OPTION when a rule is malformed (the message names `faults[i].option`)
 * @example
 * ```ts
 * const chaos = new FaultInjector({ faults: [{ latency: { uniform: [50, 200] }, probability: 0.1,
 *   select: { prefix: 'tenant-7:' } }, { status: 503, schedule: { kind: 'flap', on: '5s', off: '25s' } }] });
 * const user = await chaos.run(({ signal }) => db.load(id, signal), { key: `tenant-7:${id}` });
 * ```
 */
export class FaultInjector {
  readonly #clock: Clock;
  readonly #rules: CompiledRule[];
  readonly #events = new Emitter<FaultEvent>();
  readonly #hanging = new Set<() => void>();
  readonly #offKill: Disposable;
  #armed: boolean;
  #startMs: number;

  constructor(options: FaultInjectorOptions) {
    if (typeof options !== 'object' || options === null || !Array.isArray(options.faults)) {
      throw chaosOption('faults', options?.faults, 'pass { faults: [ ...rules ] }');
    }
    this.#clock = options.clock ?? systemClock;
    const random = options.random ?? defaultRandom();
    this.#rules = options.faults.map((rule, i) => compileRule(rule, i, random));
    this.#armed = options.armed ?? true;
    this.#startMs = this.#clock.now();
    this.#offKill = killSwitch.on((engaged) => {
      if (engaged) this.#releaseHangs();
    });
  }

  /** Restarts the schedules' time origin at now (the injector starts at construction). */
  start(): void {
    this.#startMs = this.#clock.now();
  }

  /** Lets rules fire. */
  arm(): void {
    this.#armed = true;
  }

  /** Stops every rule of this injector; hanging calls go through. */
  disarm(): void {
    this.#armed = false;
    this.#releaseHangs();
  }

  /** True when rules may fire (armed and the global kill switch is off). */
  get active(): boolean {
    return this.#armed && !killSwitch.engaged;
  }

  /** Milliseconds since {@link start}. */
  elapsedMs(): number {
    return this.#clock.now() - this.#startMs;
  }

  /**
   * The pure decision for one call: the first rule that fires, or `undefined`. Consumes random
   * draws and counts; no timers, no I/O.
   */
  decide(key?: string): FaultDecision | undefined {
    if (!this.#armed || killSwitch.engaged) return undefined;
    const elapsed = this.#clock.now() - this.#startMs;
    for (const rule of this.#rules) {
      if (rule.fired >= rule.maxCount || !rule.selector(key)) continue;
      const p = rule.probability * rule.schedule(elapsed);
      if (p <= 0 || (p < 1 && !rule.random.chance(p))) continue;
      rule.fired++;
      const decision: FaultDecision = {
        rule: rule.name,
        delayMs: rule.latency === undefined ? 0 : rule.latency.draw(rule.random),
        outcome: rule.outcome,
        ...(rule.status === undefined ? {} : { status: rule.status }),
        ...(rule.timeoutMs === undefined ? {} : { timeoutMs: rule.timeoutMs }),
        ...(rule.message === undefined ? {} : { message: rule.message }),
      };
      if (this.#events.active) this.#events.emit({ type: 'fault-fired', ...decision, key, atMs: this.#clock.now() });
      return decision;
    }
    return undefined;
  }

  /**
   * Runs `fn` under the faults: decides, waits the delay, then fails, hangs or calls `fn`.
   * @throws HR_CHAOS_INJECTED (rejection) when an error, status, timeout or abort fault fires
   * @throws the signal's reason when `signal` aborts during a delay or a hang
   */
  async run<T>(
    fn: (context: { signal: AbortSignal | undefined }) => T | Promise<T>,
    options: { key?: string; signal?: AbortSignal } = {},
  ): Promise<T> {
    const decision = this.decide(options.key);
    if (decision !== undefined) await this.apply(decision, options.signal);
    return fn({ signal: options.signal });
  }

  /**
   * Carries out a decision up to the real call: resolves when the call should go through,
   * rejects with the injected failure otherwise. Adapters use it after {@link decide}.
   */
  async apply(decision: FaultDecision, signal?: AbortSignal): Promise<void> {
    if (decision.delayMs > 0) await sleep(this.#clock, decision.delayMs, signal);
    switch (decision.outcome) {
      case 'pass':
        return;
      case 'error':
        throw new InjectedFaultError('error', decision.message ?? `Injected fault (${decision.rule})`, { rule: decision.rule });
      case 'status':
        throw new InjectedFaultError(
          'status',
          `Injected HTTP ${decision.status} (${decision.rule})`,
          { rule: decision.rule },
          decision.status,
        );
      case 'timeout':
        await sleep(this.#clock, decision.timeoutMs ?? 0, signal);
        throw new InjectedFaultError('timeout', `Injected timeout after ${decision.timeoutMs} ms (${decision.rule})`, {
          rule: decision.rule,
        });
      case 'abort':
        throw new InjectedFaultError('abort', `Injected connection reset (${decision.rule})`, { rule: decision.rule, errno: 'ECONNRESET' });
      case 'hang':
        return this.#hang(signal);
    }
  }

  /** Listens to every fault that fires. */
  on(listener: Listener<FaultEvent>): Disposable {
    return this.#events.on(listener);
  }

  /** How often each rule fired. */
  stats(): FaultRuleStats[] {
    return this.#rules.map((r) => ({ name: r.name, fired: r.fired }));
  }

  /** Disarms and detaches from the kill switch. */
  dispose(): void {
    this.disarm();
    this.#offKill.dispose();
  }

  #hang(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const release = (): void => {
        this.#hanging.delete(release);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#hanging.delete(release);
        reject(signal!.reason);
      };
      this.#hanging.add(release);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #releaseHangs(): void {
    for (const release of [...this.#hanging]) release();
  }
}

function compileRule(rule: FaultRule, index: number, random: Random): CompiledRule {
  const at = `faults[${index}]`;
  if (typeof rule !== 'object' || rule === null) throw chaosOption(at, rule, 'use a rule object');
  const name = rule.name ?? `fault-${index}`;
  if (typeof name !== 'string' || name === '') throw chaosOption(`${at}.name`, rule.name, 'use a non-empty string');
  const outcomes: FaultOutcome[] = [];
  if (rule.error !== undefined) outcomes.push('error');
  if (rule.status !== undefined) outcomes.push('status');
  if (rule.timeout !== undefined) outcomes.push('timeout');
  if (rule.hang !== undefined) outcomes.push('hang');
  if (rule.abort !== undefined) outcomes.push('abort');
  if (outcomes.length > 1) throw chaosOption(at, outcomes.join('+'), 'give at most one of error, status, timeout, hang, abort per rule');
  if (outcomes.length === 0 && rule.latency === undefined)
    throw chaosOption(at, rule, 'give a latency, an outcome (error, status, timeout, hang, abort), or both');
  if (rule.status !== undefined && !(Number.isInteger(rule.status) && rule.status >= 100 && rule.status <= 599)) {
    throw chaosOption(`${at}.status`, rule.status, 'use an HTTP status between 100 and 599');
  }
  if (rule.error !== undefined && rule.error !== true && typeof rule.error !== 'string')
    throw chaosOption(`${at}.error`, rule.error, 'use true or a message string');
  const maxCount = nonNegativeOption(`${at}.maxCount`, rule.maxCount, Infinity);
  if (rule.maxCount !== undefined && !Number.isInteger(maxCount)) throw chaosOption(`${at}.maxCount`, rule.maxCount, 'use a whole number');
  return {
    name,
    latency: rule.latency === undefined ? undefined : latencyModel(rule.latency, `${at}.latency`),
    outcome: outcomes[0] ?? 'pass',
    status: rule.status,
    timeoutMs: rule.timeout === undefined ? undefined : parseDuration(rule.timeout, `${at}.timeout`),
    message: typeof rule.error === 'string' ? rule.error : undefined,
    probability: probabilityOption(`${at}.probability`, rule.probability, 1),
    maxCount,
    selector: compileSelector(rule.select, `${at}.select`),
    schedule: compileSchedule(rule.schedule, `${at}.schedule`),
    random: random.fork(`fault:${name}`),
    fired: 0,
  };
}
