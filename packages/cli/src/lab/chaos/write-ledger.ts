/**
 * Counts writes acknowledged against writes present. The scenario's writes go to a fixed pool of
 * products, each adding 1 to a stock; the pool's stock is read from the store before the load and
 * again once every replica is quiet, so the difference is the number of writes that happened. An
 * acknowledged write must be among them (lost = acknowledged − present, when positive); a write
 * that got an error or no answer may or may not have happened, and the ledger says how many did.
 */
import type { Random } from 'headroom';
import type { ProductKeys } from '../load/product-keys.js';
import type { CatalogStore } from '../service/store.js';
import type { WriteLedgerResult } from './types.js';

/** How one write ended, as the client saw it. */
export type WriteOutcome = 'acknowledged' | 'answered-error' | 'unanswered';

/** The write pool and the counts. */
export class WriteLedger {
  readonly #ids: number[];
  readonly #random: Random;
  #before: number | null = null;
  #sent = 0;
  #acknowledged = 0;
  #answeredError = 0;
  #unanswered = 0;

  /** Picks `size` distinct products, popular ones first as the key law draws them. */
  constructor(keys: ProductKeys, size: number, random: Random) {
    const ids = new Set<number>();
    for (let rank = 0; ids.size < size; rank++) ids.add(keys.idAtRank(rank));
    this.#ids = [...ids];
    this.#random = random;
  }

  /** The product the next write goes to. */
  next(): number {
    this.#sent++;
    return this.#ids[this.#random.int(this.#ids.length)]!;
  }

  /** Records how a write ended. */
  record(outcome: WriteOutcome): void {
    if (outcome === 'acknowledged') this.#acknowledged++;
    else if (outcome === 'answered-error') this.#answeredError++;
    else this.#unanswered++;
  }

  /** Reads the pool's stock before the load. */
  async open(store: CatalogStore): Promise<void> {
    this.#before = await this.#stock(store);
  }

  /** Reads the pool's stock afterwards and compares. */
  async close(store: CatalogStore): Promise<WriteLedgerResult> {
    if (this.#before === null) throw new Error('WriteLedger.close before open');
    const present = (await this.#stock(store)) - this.#before;
    return {
      sent: this.#sent,
      acknowledged: this.#acknowledged,
      answeredError: this.#answeredError,
      unanswered: this.#unanswered,
      present,
      lost: Math.max(0, this.#acknowledged - present),
    };
  }

  async #stock(store: CatalogStore): Promise<number> {
    let total = 0;
    for (const id of this.#ids) total += (await store.getProduct(id))?.stock ?? 0;
    return total;
  }
}
