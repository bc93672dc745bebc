/**
 * The policy seam of headroom/latency: `execute(fn, { signal, deadline })`, where `fn` receives
 * `{ signal, attempt, deadline }`, and `wrap(...)` to nest policies (outermost first), as in
 * cockatiel — but every policy here takes its `Clock` and `Random` instead of using globals.
 */
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import type { Deadline } from './deadline.js';

/** What a policy hands to the function it runs. */
export interface AttemptContext {
  /** Aborts when this attempt must stop: caller's signal, deadline, or the policy itself (a hedge won, a quorum was reached). */
  readonly signal: AbortSignal;
  /** 0 for the first call of the function by the innermost policy, 1 for its next call, and so on. */
  readonly attempt: number;
  /** The deadline the attempt runs under, if any; send `deadline.remainingMs()` downstream. */
  readonly deadline: Deadline | undefined;
}

/** Per-call options of {@link Policy.execute}. */
export interface ExecuteOptions {
  /** Caller's cancellation; aborting it rejects the call with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** The deadline the call must meet (its signal is honoured too). */
  readonly deadline?: Deadline | undefined;
}

/** The work a policy runs: one call per attempt. */
export type Operation<T> = (context: AttemptContext) => Promise<T>;

/** Anything that runs an operation under a rule (deadline, hedging, retries, a limit). */
export interface Policy {
  /**
   * Runs `fn` under this policy.
   * @returns what the winning attempt returned
   */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T>;
}

/** Time and randomness every latency policy takes; both default to the system ones. */
export interface PolicyOptions {
  /** Time source and timers; default `systemClock`. */
  readonly clock?: Clock;
  /** Random source (jitter, probes, ids); default `defaultRandom()` (seeded from HEADROOM_SEED when set). */
  readonly random?: Random;
}

const NEVER = new AbortController().signal;

/**
 * Nests policies: `wrap(a, b, c).execute(fn)` runs `a.execute(ctx => b.execute(ctx2 => c.execute(fn, ctx2), ctx))`,
 * so each inner policy sees the outer one's signal and deadline. With no policy it just calls `fn`.
 * @example
 * ```ts
 * const policy = wrap(new DeadlinePolicy({ timeoutMs: 200 }), new RetryPolicy(), new HedgePolicy());
 * await policy.execute(({ signal }) => fetch(url, { signal }));
 * ```
 */
export function wrap(...policies: readonly Policy[]): Policy {
  const chain = [...policies];
  return {
    execute<T>(fn: Operation<T>, options: ExecuteOptions = {}): Promise<T> {
      if (chain.length === 0) {
        const signal = options.signal ?? options.deadline?.signal ?? NEVER;
        if (signal.aborted) return Promise.reject(signal.reason);
        return fn({ signal, attempt: 0, deadline: options.deadline });
      }
      const run = (i: number, opts: ExecuteOptions): Promise<T> =>
        chain[i]!.execute(i + 1 === chain.length ? fn : (ctx) => run(i + 1, ctx), opts);
      return run(0, options);
    },
  };
}
