/**
 * Did a phase measure the technique, or this machine? Each scenario models one bottleneck — a
 * store with a fixed number of connections and a fixed round trip — and sizes its load against
 * it. When the service answered clearly fewer requests than were offered (its backlog grew, or
 * requests timed out) while no replica's store was near its modelled capacity, something else was
 * the limit: the CPU the replicas, the load generator and everything else on the machine share.
 * A comparison with such a phase measures the machine (a 1 s run at load average 4–6 once printed
 * "store q/s 372 → 460 (+24%)" for a cache), so the verdict flags it instead.
 *
 * Why these figures: in a service that keeps up, the responses arriving during a window equal the
 * requests sent during it, give or take the few in flight at either edge (Little's law), however
 * long each takes; a share below {@link KEEP_UP_SHARE} means the backlog grew by more than 5% of
 * the window's requests. Deliberate rejections (503 from a limiter) count as answered. The store's
 * utilisation separates "the modelled bottleneck was saturated" (the overload scenario's point)
 * from "the machine could not drive it".
 */
import type { PhaseResult } from './types.js';

/** Answered ÷ offered below which a phase did not keep up. */
export const KEEP_UP_SHARE = 0.95;
/** Store utilisation (queries ÷ modelled capacity, busiest replica) at which the store itself was the limit. */
export const STORE_BUSY_SHARE = 0.9;
/** The load generator's own stall above which the flag names it (ms). */
const GENERATOR_STALL_MS = 50;

/** The figures the judgement reads. */
export type KeepUpFigures = Pick<PhaseResult, 'label' | 'offeredPerSec' | 'answeredPerSec' | 'storeUtilization' | 'generatorLagMs'>;

/**
 * Why `phase` measured the machine rather than the technique, or null when it kept up or its
 * modelled store was the limit.
 */
export function machineLimit(phase: KeepUpFigures): string | null {
  if (phase.offeredPerSec <= 0) return null;
  const share = phase.answeredPerSec / phase.offeredPerSec;
  if (share >= KEEP_UP_SHARE || phase.storeUtilization >= STORE_BUSY_SHARE) return null;
  const lag =
    phase.generatorLagMs.max > GENERATOR_STALL_MS
      ? `; the load generator itself ran up to ${phase.generatorLagMs.max.toFixed(0)} ms late`
      : '';
  return (
    `${phase.label} answered ${(share * 100).toFixed(0)}% of the ${Math.round(phase.offeredPerSec)} req/s offered within the window ` +
    `while its store ran at ${(phase.storeUtilization * 100).toFixed(0)}% of capacity${lag}`
  );
}
