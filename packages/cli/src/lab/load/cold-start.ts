/**
 * The warm-up of a run's first phase. The replicas and the load generator start cold — code not yet
 * optimised, heaps growing, connections being opened — and for the first seconds of traffic their
 * event loops stall for tens of milliseconds at a time (a lab run at load 2.3 saw client stalls of
 * 40–91 ms and every replica's answers 30–90 ms late in its first 1.2 s of traffic, none that long
 * after; at load 11–15 the excess lasted 3–4 s). With the usual warm-up of 1 s that start-up lands
 * in the first phase's measured window, which is usually the baseline: the baseline's tail then
 * holds the fleet's cold start and the later phases do not, and `headroom sim-vs-lab`, which models
 * every phase from the baseline, carries the cold start into its predictions. So the first phase of
 * a run warms up {@link FIRST_PHASE_WARMUP_FACTOR} times as long as the others (docs/lab.md).
 */

/** How many times `--warmup` the run's first phase warms up for. */
export const FIRST_PHASE_WARMUP_FACTOR = 4;

/**
 * The warm-up before a phase, ms.
 * @param phaseNumber - the phase's place in the run, from 1
 * @param warmupMs - `--warmup` (0 keeps every phase without one)
 */
export function phaseWarmupMs(phaseNumber: number, warmupMs: number): number {
  return phaseNumber === 1 ? FIRST_PHASE_WARMUP_FACTOR * warmupMs : warmupMs;
}
