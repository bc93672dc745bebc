/**
 * `getOrLoadMany`: serve what is held, join loads already running, and send every other key to
 * one call of the batch loader (the DataLoader pattern, with the cache's single-flight and
 * no-stale-set rules applied per key). Stale keys inside stale-while-revalidate are served and
 * refreshed by the same batch call.
 */
import { BatchResultError } from './errors.js';
import type { Flight } from './stampede/single-flight.js';
import type { BatchLoader, LoadOptions } from './types.js';

/** What a batch sees of one key. */
export interface BatchLookup<V> {
  readonly kind: 'fresh' | 'stale' | 'stale-refresh' | 'miss';
  readonly value: V | undefined;
}

/** The parts of the cache a batch uses. */
export interface BatchHost<V, K> {
  key(key: K): string;
  lookup(k: string): BatchLookup<V>;
  flightOf(k: string): Flight<V | undefined> | undefined;
  newFlight(k: string, options: LoadOptions<V> | undefined, background: boolean): Flight<V | undefined>;
  loaded(flight: Flight<V | undefined>, value: V | undefined, options: LoadOptions<V> | undefined): void;
  failed(flight: Flight<V | undefined>, error: unknown): void;
  countMiss(): void;
  fallback(k: string, error: unknown, signal: AbortSignal | undefined): V | undefined;
  /** With a shared tier: serve what it holds, lease the rest; resolves to a lease token per flight. */
  readonly tiered: ((flights: readonly Flight<V | undefined>[]) => Promise<(string | undefined)[]>) | undefined;
  /** With a shared tier: store a loaded value under its lease before it reaches L1. */
  readonly storeTier:
    | ((
        flight: Flight<V | undefined>,
        value: V | undefined,
        options: LoadOptions<V> | undefined,
        token: string | undefined,
      ) => Promise<void>)
    | undefined;
  /** With a shared tier: give back the lease of a key whose load failed. */
  readonly releaseTier: ((flight: Flight<V | undefined>, token: string | undefined) => void) | undefined;
}

/** Runs one `getOrLoadMany`; results are aligned with `keys`. */
export async function loadMany<V, K>(
  host: BatchHost<V, K>,
  keys: readonly K[],
  batchLoader: BatchLoader<V, K>,
  options: LoadOptions<V> | undefined,
): Promise<(V | undefined)[]> {
  const n = keys.length;
  const results = new Array<V | undefined>(n);
  const waits: Promise<void>[] = [];
  const firstIndex = new Map<string, number>();
  const duplicates: number[] = [];
  const batchKeys: K[] = [];
  const batchFlights: Flight<V | undefined>[] = [];
  const signal = options?.signal;
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const k = host.key(key);
    const first = firstIndex.get(k);
    if (first !== undefined) {
      duplicates.push(i, first);
      continue;
    }
    firstIndex.set(k, i);
    const found = host.lookup(k);
    if (found.kind !== 'miss') {
      results[i] = found.value;
      if (found.kind === 'stale-refresh') {
        batchKeys.push(key);
        batchFlights.push(host.newFlight(k, options, true));
      }
      continue;
    }
    host.countMiss();
    let flight = host.flightOf(k);
    if (flight === undefined) {
      flight = host.newFlight(k, options, false);
      batchKeys.push(key);
      batchFlights.push(flight);
    }
    const index = i;
    waits.push(
      flight.join(signal).then(
        (value) => {
          results[index] = value;
        },
        (error: unknown) => {
          results[index] = host.fallback(k, error, signal);
        },
      ),
    );
  }
  if (batchFlights.length > 0) void runBatch(host, batchKeys, batchFlights, batchLoader, options);
  await Promise.all(waits);
  for (let j = 0; j < duplicates.length; j += 2) results[duplicates[j]!] = results[duplicates[j + 1]!];
  return results;
}

async function runBatch<V, K>(
  host: BatchHost<V, K>,
  allKeys: readonly K[],
  allFlights: readonly Flight<V | undefined>[],
  batchLoader: BatchLoader<V, K>,
  options: LoadOptions<V> | undefined,
): Promise<void> {
  // The batch stops only when every key's load has been abandoned by all its waiters.
  const controller = new AbortController();
  let abandoned = 0;
  for (const flight of allFlights) {
    const signal = flight.signal;
    signal.addEventListener(
      'abort',
      () => {
        if (++abandoned === allFlights.length) controller.abort(signal.reason);
      },
      { once: true },
    );
  }
  let keys = allKeys;
  let flights = allFlights;
  let tokens: readonly (string | undefined)[] = [];
  try {
    if (host.tiered !== undefined) {
      // The tier serves some keys (settling their flights); only the rest go to the loader.
      const leased = await host.tiered(flights);
      const left = flights.map((f, i) => i).filter((i) => !flights[i]!.settled);
      keys = left.map((i) => keys[i]!);
      tokens = left.map((i) => leased[i]);
      flights = left.map((i) => flights[i]!);
      if (flights.length === 0) return;
    }
    const result = await batchLoader(keys, { signal: controller.signal });
    let values: (V | undefined)[];
    if (result instanceof Map) {
      values = flights.map((flight, j) => (result.has(keys[j]) ? result.get(keys[j]) : result.get(flight.key)));
    } else if (Array.isArray(result) && result.length === keys.length) {
      values = result as (V | undefined)[];
    } else {
      throw new BatchResultError(keys.length, result);
    }
    if (host.storeTier !== undefined) {
      await Promise.all(flights.map((flight, j) => host.storeTier!(flight, values[j], options, tokens[j])));
    }
    flights.forEach((flight, j) => host.loaded(flight, values[j], options));
  } catch (error) {
    flights.forEach((flight, j) => {
      host.releaseTier?.(flight, tokens[j]);
      host.failed(flight, error);
    });
  }
}
