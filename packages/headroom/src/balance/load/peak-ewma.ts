/**
 * Peak-EWMA: the load of an endpoint is its smoothed round-trip time × (pending requests + 1).
 * Source: Finagle `com.twitter.finagle.loadbalancer.PeakEwma` (Eriksen et al., "Finagle: load
 * balancing" — peak EWMA) and Linkerd/tower `tower::load::PeakEwma`; same semantics:
 *
 * - **peak-sensitive**: an RTT above the current estimate replaces it at once, so a node that
 *   turns slow is avoided after one slow answer;
 * - **time-decayed**: an RTT below it is blended in with weight `1 − e^(−Δt/τ)`, Δt being the
 *   time since the estimate was last touched and τ = `decayMs`;
 * - **decays when read**: reading the load first decays the estimate toward 0 over the time
 *   since it was last touched (Finagle's `observe(0.0)` in `get()`, tower's `decay()` in
 *   `load()`), so a node that was slow and is now idle is probed again after a few τ;
 * - **unknown nodes**: with `defaultRtt` = 0 (Finagle) a node with no history costs 0 while
 *   idle — it gets one probe request — and a huge penalty while that probe is pending; with
 *   `defaultRtt` > 0 (Linkerd, 30 ms there) it starts from that estimate.
 *
 * One addition: an `'ignored'` request's latency (the caller gave up) is a lower bound on the node's RTT, so it may
 * raise the estimate (peak) but never lowers it.
 *
 * O(1) per call (one `Math.exp`), no allocation; a metric's two numbers live in a chunk shared
 * with its factory's other metrics (ewma-cells.ts). Limits: fast failures look cheap (pair it with
 * outlier detection); after a long idle period every node looks equally fast.
 */
import { parseOptionalDuration, parsePositiveDuration, type Duration } from '../../core/duration.js';
import type { Outcome } from '../../core/outcome.js';
import type { LoadMetric, LoadMetricFactory } from '../load-metric.js';
import { EwmaCells, type EwmaCell } from './ewma-cells.js';

/** Default decay window τ, ms: settled by the simulator's sweep (docs/sim.md, "peak-EWMA's decay"). */
const DEFAULT_DECAY_MS = 3_000;

/** Cost of a node with no RTT history and a request in flight (Finagle's `Long.MaxValue >> 16`, in ms). */
const PENALTY = 2 ** 47;

/** Options of {@link peakEwma}. */
export interface PeakEwmaOptions {
  /**
   * Decay window τ, ms or '3s': how fast old RTTs are forgotten; default 3,000. Finagle and
   * Linkerd use 10 s; the simulator's sweep (docs/sim.md, `npm run bench -- sim/peak-ewma-decay`)
   * found 3 s the least regret over load levels, service shapes and quiet or busy clients.
   */
  readonly decay?: Duration;
  /** RTT estimate of a node with no history, ms or '30ms'; default 0 (Finagle: probe once, then wait for the answer). */
  readonly defaultRtt?: Duration;
}

class PeakEwmaMetric implements LoadMetric {
  readonly #tauMs: number;
  // the estimate at #cells[#i], its time stamp (NaN: never touched) at #cells[#i + 1] (ewma-cells.ts)
  readonly #cells: Float64Array;
  readonly #i: number;
  #pending = 0;

  constructor(tauMs: number, cell: EwmaCell) {
    this.#tauMs = tauMs;
    this.#cells = cell.chunk;
    this.#i = cell.index;
  }

  /** Decays the estimate to `now` and folds in `rttMs` (0 = decay only). */
  #observe(now: number, rttMs: number): void {
    const cells = this.#cells;
    const i = this.#i;
    const stampMs = cells[i + 1]!;
    const costMs = cells[i]!;
    const dt = stampMs === stampMs ? Math.max(now - stampMs, 0) : 0;
    const w = Math.exp(-dt / this.#tauMs);
    cells[i] = rttMs > costMs ? rttMs : costMs * w + rttMs * (1 - w);
    cells[i + 1] = now;
  }

  start(now: number): void {
    const cells = this.#cells;
    const stamp = this.#i + 1;
    if (cells[stamp] !== cells[stamp]) cells[stamp] = now;
    this.#pending++;
  }

  end(now: number, latencyMs: number, outcome: Outcome): void {
    if (this.#pending > 0) this.#pending--;
    if (outcome === 'ignored') {
      this.#observe(now, 0);
      if (latencyMs > this.#cells[this.#i]!) this.#cells[this.#i] = latencyMs;
    } else {
      this.#observe(now, latencyMs);
    }
  }

  load(now: number): number {
    // #observe(now, 0), inlined: decay only (0 is never above the estimate).
    const cells = this.#cells;
    const i = this.#i;
    const stamp = cells[i + 1]!;
    const cost = stamp === stamp && now > stamp ? cells[i]! * Math.exp((stamp - now) / this.#tauMs) : cells[i]!;
    cells[i] = cost;
    cells[i + 1] = now;
    if (cost === 0 && this.#pending !== 0) return PENALTY + this.#pending;
    return cost * (this.#pending + 1);
  }
}

/**
 * Load = peak-sensitive, time-decayed RTT estimate × (pending + 1), in ms. Compose it with
 * {@link p2c} for Linkerd's and Finagle's default balancer.
 * @param options.decay - decay window τ; default 3 s (Finagle's and Linkerd's 10 s remembers a client stall's spike longer)
 * @param options.defaultRtt - estimate for a node with no history; default 0
 * @throws HR_CORE_INVALID_DURATION when `decay` is not a positive duration or `defaultRtt` not a duration
 * @example new Balancer({ endpoints, picker: p2c(), load: peakEwma({ decay: '3s' }) })
 */
export function peakEwma(options: PeakEwmaOptions = {}): LoadMetricFactory {
  const decayMs = parsePositiveDuration(options.decay, 'peakEwma.decay', DEFAULT_DECAY_MS);
  const defaultRttMs = parseOptionalDuration(options.defaultRtt, 'peakEwma.defaultRtt', 0);
  const cells = new EwmaCells();
  return { name: 'peak-ewma', create: () => new PeakEwmaMetric(decayMs, cells.take(defaultRttMs)) };
}
