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
}

/** Runs one `getOrLoadMany`; results are aligned with `keys`. */
export async function loadMany<V, K>(host: BatchHost<V, K>, keys: readonly K[], batchLoader: BatchLoader<V, K>,
  options: LoadOptions<V> | undefined): Promise<(V | undefined)[]> {
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
    waits.push(flight.join(signal).then(
      (value) => { results[index] = value; },
      (error: unknown) => { results[index] = host.fallback(k, error, signal); },
    ));
  }
  if (batchFlights.length > 0) runBatch(host, batchKeys, batchFlights, batchLoader, options);
  await Promise.all(waits);
  for (let j = 0; j < duplicates.length; j += 2) results[duplicates[j]!] = results[duplicates[j + 1]!];
  return results;
}

function runBatch<V, K>(host: BatchHost<V, K>, keys: readonly K[], flights: readonly Flight<V | undefined>[],
  batchLoader: BatchLoader<V, K>, options: LoadOptions<V> | undefined): void {
  // The batch stops only when every key's load has been abandoned by all its waiters.
  const controller = new AbortController();
  let abandoned = 0;
  for (const flight of flights) {
    const signal = flight.controller.signal;
    signal.addEventListener('abort', () => {
      if (++abandoned === flights.length) controller.abort(signal.reason);
    }, { once: true });
  }
  const fail = (error: unknown): void => {
    for (const flight of flights) host.failed(flight, error);
  };
  let pending: ReturnType<BatchLoader<V, K>>;
  try {
    pending = batchLoader(keys, { signal: controller.signal });
  } catch (error) {
    fail(error);
    return;
  }
  Promise.resolve(pending).then((result) => {
    if (result instanceof Map) {
      for (let j = 0; j < flights.length; j++) {
        const flight = flights[j]!;
        host.loaded(flight, result.has(keys[j]) ? result.get(keys[j]) : result.get(flight.key), options);
      }
    } else if (Array.isArray(result) && result.length === keys.length) {
      for (let j = 0; j < flights.length; j++) host.loaded(flights[j]!, result[j] as V | undefined, options);
    } else {
      fail(new BatchResultError(keys.length, result));
    }
  }, fail);
}
