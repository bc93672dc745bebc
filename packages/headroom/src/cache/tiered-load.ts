/**
 * Loading through a shared tier, for one key and for a batch:
 *
 * 1. read the tier; a fresh entry is the answer (and fills L1);
 * 2. otherwise ask for the key's lease: only the process granted it runs the loader and
 *    stores the result with its lease token — refused if a delete voided the lease meanwhile;
 * 3. a process that finds the lease taken waits for the key's notification (no polling),
 *    bounded by the lease's remaining time, then reads again — for as long as the same holder
 *    keeps its lease alive, and through at most MAX_WAITS holders;
 * 4. if the tier fails (timeout, open circuit) or stays busy, the loader runs here and the
 *    result stays in L1 only.
 *
 * Background refreshes ask for the lease even over a present value, and give up quietly when
 * another process is already refreshing.
 */
import { isHeadroomError } from '../core/errors.js';
import { FlightContext, type Flight } from './stampede/single-flight.js';
import type { LeaseOutcome, SharedTier, TierEntry, TierReader } from './tier.js';
import type { Loader, LoaderContext, LoadOptions } from './types.js';

/** Error codes meaning "the tier is unavailable", as opposed to a loader failure. */
const TIER_CODES = new Set(['HR_CACHE_TIER_TIMEOUT', 'HR_CACHE_CIRCUIT_OPEN', 'HR_CACHE_TIER_FAILED']);
/** Holders of a key's lease to wait for, one after another, before loading here. */
const MAX_WAITS = 3;

/** True when `error` means the shared tier is unavailable. */
export function isTierError(error: unknown): boolean {
  return isHeadroomError(error) && TIER_CODES.has(error.code);
}

/** What the tiered paths need from the cache. */
export interface TierHost<V> {
  readonly tier: SharedTier<V>;
  /** Resolves once the tier is attached (never rejects). */
  readonly attached: Promise<void>;
  /** True once `attached` has settled (saves an await on every load). */
  isAttached(): boolean;
  /** True when the entry is still fresh (by wall clock). */
  fresh(entry: TierEntry<V>): boolean;
  /** The entry to store for a value just loaded (jittered TTL, tags); undefined for an uncached miss. */
  entryFor(value: V | undefined, options: LoadOptions<V> | undefined): TierEntry<V> | undefined;
  /** Records a tier failure (stats, event). */
  tierFailed(operation: string, error: unknown): void;
  /** Counts a value served by the tier. */
  l2Hit(): void;
  /** Settles a flight with its value (stores it unless voided). */
  loaded(flight: Flight<V | undefined>, value: V | undefined, options: LoadOptions<V> | undefined): void;
  /** Settles a flight with a failure. */
  failed(flight: Flight<V | undefined>, error: unknown): void;
}

/**
 * Loads one key through the tier and settles the flight through `host.loaded`/`host.failed`
 * (the flight's `tierEntry` tells the cache what to put in L1). `stale` is the value held here,
 * for the loader's context.
 */
export function tieredLoad<V>(
  host: TierHost<V>,
  flight: Flight<V | undefined>,
  loader: Loader<V>,
  stale: V | undefined,
  options: LoadOptions<V> | undefined,
): void {
  if (flight.background || !host.isAttached()) {
    settle(host, flight, leaseAndLoad(host, flight, loader, new FlightContext(flight, stale), options, false), options);
    return;
  }
  // The common case, an L1 miss that the tier answers: one read reported to one small object,
  // with no promise, closure or loader context of its own.
  host.tier.read(flight.key, new TieredRead(host, flight, loader, stale, options));
}

/** The first read of a tiered load: serves a fresh entry, or goes on to the lease. */
class TieredRead<V> implements TierReader<V> {
  readonly #host: TierHost<V>;
  readonly #flight: Flight<V | undefined>;
  readonly #loader: Loader<V>;
  readonly #stale: V | undefined;
  readonly #options: LoadOptions<V> | undefined;

  constructor(
    host: TierHost<V>,
    flight: Flight<V | undefined>,
    loader: Loader<V>,
    stale: V | undefined,
    options: LoadOptions<V> | undefined,
  ) {
    this.#host = host;
    this.#flight = flight;
    this.#loader = loader;
    this.#stale = stale;
    this.#options = options;
  }

  entry(entry: TierEntry<V> | undefined): void {
    const host = this.#host;
    const flight = this.#flight;
    try {
      if (entry !== undefined && host.fresh(entry)) host.loaded(flight, served(host, flight, entry), this.#options);
      else
        settle(
          host,
          flight,
          leaseAndLoad(host, flight, this.#loader, new FlightContext(flight, this.#stale), this.#options, true),
          this.#options,
        );
    } catch (error) {
      host.failed(flight, error);
    }
  }

  error(error: unknown): void {
    const host = this.#host;
    const flight = this.#flight;
    if (!isTierError(error)) {
      host.failed(flight, error);
      return;
    }
    host.tierFailed('load', error);
    settle(host, flight, loadHere(flight, this.#loader, new FlightContext(flight, this.#stale)), this.#options);
  }
}

function settle<V>(
  host: TierHost<V>,
  flight: Flight<V | undefined>,
  result: Promise<V | undefined>,
  options: LoadOptions<V> | undefined,
): void {
  result.then(
    (value) => host.loaded(flight, value, options),
    (error: unknown) => host.failed(flight, error),
  );
}

async function leaseAndLoad<V>(
  host: TierHost<V>,
  flight: Flight<V | undefined>,
  loader: Loader<V>,
  context: LoaderContext<V>,
  options: LoadOptions<V> | undefined,
  readDone: boolean,
): Promise<V | undefined> {
  const { tier } = host;
  const key = flight.key;
  let token: string | undefined;
  try {
    if (!host.isAttached()) await host.attached;
    if (!flight.background && !readDone) {
      const entry = await tier.get(key);
      if (entry !== undefined && host.fresh(entry)) return served(host, flight, entry);
    }
    let force = flight.background;
    let holder: string | undefined;
    for (let waits = 0; token === undefined && waits <= MAX_WAITS && !flight.aborted;) {
      const outcome: LeaseOutcome<V> = await tier.lease(key, force, flight.tags);
      if (outcome.kind === 'granted') token = outcome.token;
      else if (outcome.kind === 'hit') {
        if (host.fresh(outcome.entry)) return served(host, flight, outcome.entry);
        force = true; // present but stale: take the lease over it
      } else if (flight.background) {
        // Another process is refreshing this key; its notification will replace our stale copy.
        flight.voided = true;
        return context.stale;
      } else {
        // The same holder again is the same load, kept alive by its process: keep waiting.
        if (outcome.holder !== holder) waits++;
        holder = outcome.holder;
        await tier.waitForKey(key, outcome.remainingMs, flight.signal);
        if (flight.aborted) break;
        const entry = await tier.get(key);
        if (entry !== undefined && host.fresh(entry)) return served(host, flight, entry);
      }
    }
  } catch (error) {
    if (!isTierError(error)) throw error;
    host.tierFailed('load', error);
    token = undefined;
  }
  if (token === undefined) return loadHere(flight, loader, context);
  let value: V | undefined;
  try {
    value = await loader(context);
  } catch (error) {
    if (token !== undefined) void tier.releaseLease(key, token).catch((e: unknown) => host.tierFailed('releaseLease', e));
    throw error;
  }
  await storeLeased(host, flight, value, options, token);
  return value;
}

/** Without a lease (tier unavailable, or busy too long): load here; the value stays in L1 only. */
async function loadHere<V>(flight: Flight<V | undefined>, loader: Loader<V>, context: LoaderContext<V>): Promise<V | undefined> {
  if (flight.aborted) throw flight.signal.reason;
  return loader(context);
}

function served<V>(host: TierHost<V>, flight: Flight<V | undefined>, entry: TierEntry<V>): V {
  flight.tierEntry = entry;
  flight.servedByTier = true;
  host.l2Hit();
  return entry.value;
}

/** Stores a loaded value under its lease; a refusal voids the flight (the key changed meanwhile). */
async function storeLeased<V>(
  host: TierHost<V>,
  flight: Flight<V | undefined>,
  value: V | undefined,
  options: LoadOptions<V> | undefined,
  token: string,
): Promise<void> {
  const { tier } = host;
  try {
    if (flight.voided) {
      // Invalidated here while it loaded (a delete, set, tag or clear of this process, or one
      // heard from another): store nothing, and free the lease for the next load.
      await tier.releaseLease(flight.key, token);
      return;
    }
    const entry = host.entryFor(value, options);
    if (entry === undefined) {
      // Absent at the source and not negatively cached: free the lease; a refresh also drops the old value.
      if (flight.background) await tier.delete(flight.key);
      else await tier.releaseLease(flight.key, token);
      return;
    }
    flight.tierEntry = entry;
    if (!(await tier.set(flight.key, entry, token))) flight.voided = true;
  } catch (error) {
    if (!isTierError(error)) throw error;
    host.tierFailed('set', error);
  }
}

/**
 * A batch through the tier: one read for all keys (grouped by slot by the tier), leases for
 * the rest, a wait for keys other processes are loading, then `load` once for every key still
 * missing. Keys loaded under a lease are stored in the tier; the others stay in L1 only.
 * Resolves to the flights still to load, each with its lease token (or undefined).
 */
export async function tieredBatch<V>(
  host: TierHost<V>,
  flights: readonly Flight<V | undefined>[],
  fill: (flight: Flight<V | undefined>, entry: TierEntry<V>) => void,
): Promise<(string | undefined)[]> {
  const tokens = new Array<string | undefined>(flights.length);
  const { tier } = host;
  try {
    await host.attached;
    const pending: number[] = [];
    const found = await tier.getMany(flights.map((f) => f.key));
    found.forEach((entry, i) => {
      if (entry !== undefined && host.fresh(entry) && !flights[i]!.background) fill(flights[i]!, entry);
      else pending.push(i);
    });
    const busy: [number, number][] = [];
    await Promise.all(
      pending.map(async (i) => {
        const flight = flights[i]!;
        const outcome = await tier.lease(flight.key, flight.background, flight.tags);
        if (outcome.kind === 'granted') tokens[i] = outcome.token;
        else if (outcome.kind === 'hit' && host.fresh(outcome.entry)) fill(flight, outcome.entry);
        else if (outcome.kind === 'busy') busy.push([i, outcome.remainingMs]);
      }),
    );
    if (busy.length > 0) {
      await Promise.all(busy.map(([i, ms]) => tier.waitForKey(flights[i]!.key, ms, flights[i]!.signal)));
      const again = await tier.getMany(busy.map(([i]) => flights[i]!.key));
      again.forEach((entry, j) => {
        if (entry !== undefined && host.fresh(entry)) fill(flights[busy[j]![0]]!, entry);
      });
    }
  } catch (error) {
    if (!isTierError(error)) throw error;
    host.tierFailed('batch', error);
  }
  return tokens;
}

/** Stores one batch-loaded value in the tier when it was loaded under a lease. */
export function storeBatchResult<V>(
  host: TierHost<V>,
  flight: Flight<V | undefined>,
  value: V | undefined,
  options: LoadOptions<V> | undefined,
  token: string | undefined,
): Promise<void> {
  return token === undefined ? Promise.resolve() : storeLeased(host, flight, value, options, token);
}

/** Gives back the lease of a batch-loaded key whose load failed, so another process may try at once. */
export function releaseBatchLease<V>(host: TierHost<V>, flight: Flight<V | undefined>, token: string | undefined): void {
  if (token !== undefined) void host.tier.releaseLease(flight.key, token).catch((e: unknown) => host.tierFailed('releaseLease', e));
}
