/**
 * Warming a cached phase to steady state before it is measured. A cache that starts empty spends
 * its first minutes on compulsory misses: in the cache scenario, 8 s of 200 requests/s per replica
 * over 100,000 Zipf-0.99 products are mostly first reads, so a cold phase measures the warm-up,
 * not the cache. Running the real traffic that long would take minutes per phase, so the lab
 * replays it: it generates `spanMs` of the phase's own traffic — same rate, key popularity, write
 * share and routing, from a separate seeded stream (the past, not the measured future) — and each
 * replica replays its share into its cache on replayed time (see service/warm-replay.ts), so TTLs
 * expire as they would have. Blocks of {@link BLOCK_MS} go out to every replica at once and the
 * next waits for all of them, so a shared Redis tier sees the replicas' requests interleaved within
 * a block as they would be. Each block's hit ratio shows whether the cache has settled.
 */
import { SeededRandom } from 'headroom';
import { arrivalOffsets, poissonRate } from 'headroom/scale';
import type { WarmBlock, WarmCount } from '../service/protocol.js';
import { type PhaseLoad, drawRequest } from './driver.js';
import type { ProductKeys } from './product-keys.js';

/** Replayed time per block, ms: the granularity of the hit-ratio trace and of the replicas' lockstep. */
export const BLOCK_MS = 20_000;

/** Options of {@link warmToSteadyState}. */
export interface SteadyWarmupOptions {
  readonly load: PhaseLoad;
  readonly keys: ProductKeys;
  /** The hot product id (used when `load.hotKeyShare` > 0). */
  readonly hotKeyId: number;
  /** How much past traffic to replay, ms of replayed time. */
  readonly spanMs: number;
  /** Seed of the replayed arrivals and keys. */
  readonly seed: number;
  readonly replicas: number;
  /** The replica the phase's balancer sends a request for `key` to. */
  readonly route: (key: string) => number;
  /** Replays `blocks[i]` on replica i (the fleet's `warm`). */
  readonly warm: (blocks: readonly WarmBlock[]) => Promise<readonly WarmCount[]>;
  /** Stops between blocks (Ctrl-C, a dead replica). */
  readonly signal: AbortSignal;
  /** Called after each block with the replayed seconds so far. */
  readonly onBlock?: (replayedSec: number) => void;
}

/** What a warm-up replayed. */
export interface SteadyWarmup {
  /** Replayed time, s. */
  readonly replayedSec: number;
  /** Requests replayed, every replica. */
  readonly requests: number;
  /** Hit ratio of the reads of each block of {@link BLOCK_MS}, every replica; flat at the end when steady. */
  readonly hitRatioByBlock: readonly number[];
  /** Replayed requests that failed (skipped), and the first failure's message or null. */
  readonly failed: number;
  readonly error: string | null;
}

/**
 * Replays `spanMs` of the phase's traffic into the replicas' caches (see the file comment).
 * @throws the abort reason when `signal` aborts; a replica's failure to answer (a replica that dies)
 */
export async function warmToSteadyState(o: SteadyWarmupOptions): Promise<SteadyWarmup> {
  const random = new SeededRandom(o.seed).fork('steady-warmup');
  const arrivals = random.fork('arrivals');
  const requests = random.fork('requests');
  const hitRatioByBlock: number[] = [];
  let total = 0;
  let failed = 0;
  let error: string | null = null;
  // The same arrival process as the live phase (headroom/scale's Poisson schedule), on replayed time.
  const times = arrivalOffsets(poissonRate(o.load.ratePerSec, o.spanMs), { random: arrivals });
  let next = times.next();
  for (let start = 0; start < o.spanMs; start += BLOCK_MS) {
    o.signal.throwIfAborted();
    const end = Math.min(start + BLOCK_MS, o.spanMs);
    const blocks = Array.from({ length: o.replicas }, () => ({ atMs: [] as number[], ids: [] as number[], writes: [] as number[] }));
    for (; next.done !== true && next.value < end; next = times.next()) {
      const t = next.value;
      const { id, write } = drawRequest(o.load, o.keys, o.hotKeyId, requests);
      const block = blocks[o.route(String(id))]!;
      block.atMs.push(Math.round(t));
      block.ids.push(id);
      block.writes.push(write ? 1 : 0);
      total++;
    }
    const counts = await o.warm(blocks);
    const reads = counts.reduce((n, c) => n + c.reads, 0);
    const queries = counts.reduce((n, c) => n + c.queries, 0);
    for (const c of counts) {
      failed += c.failed;
      error ??= c.error;
    }
    hitRatioByBlock.push(reads === 0 ? 0 : Math.round((1 - queries / reads) * 10_000) / 10_000);
    o.onBlock?.(end / 1000);
  }
  return { replayedSec: o.spanMs / 1000, requests: total, hitRatioByBlock, failed, error };
}
