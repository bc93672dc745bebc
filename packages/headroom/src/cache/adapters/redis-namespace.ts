/**
 * The namespace version of a Redis tier: part of every value key, bumped by `clear()` so that
 * every old entry is retired at once. A tier reads it before its first use of any key and again
 * whenever it may have missed a bump (the channel was lost, or tracking reported the counter
 * changed without its new value); a value it finds changed since it last knew it means L1
 * holds retired entries.
 */
import type { RedisKeys } from './redis-keys.js';

/** The namespace version as this process knows it. */
export class NamespaceVersion {
  readonly #keys: RedisKeys;
  readonly #read: (versionKey: string) => Promise<string | null>;
  readonly #changedUnseen: () => void;
  #known = false;
  #everKnown = false;
  #loading: Promise<void> | undefined;

  /**
   * @param read - reads the counter (a bounded call)
   * @param changedUnseen - told when a read finds the version moved while this process was not listening
   */
  constructor(keys: RedisKeys, read: (versionKey: string) => Promise<string | null>, changedUnseen: () => void) {
    this.#keys = keys;
    this.#read = read;
    this.#changedUnseen = changedUnseen;
  }

  /** True while the version in the key layout can be used without reading it first. */
  get known(): boolean {
    return this.#known;
  }

  /** A bump was announced with its new value. */
  set(version: number): void {
    this.#keys.setVersion(version);
  }

  /** The version may have moved unseen: read it before the next use of any key. */
  forget(): void {
    this.#known = false;
  }

  /** Reads the version unless it is known; one read at a time, shared by every caller waiting for it. */
  ensure(): Promise<void> {
    if (this.#known) return Promise.resolve();
    this.#loading ??= this.#fetch().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #fetch(): Promise<void> {
    const k = this.#keys;
    const raw = await this.#read(k.versionKey);
    const version = raw === null ? 0 : Number(raw);
    // Changed while we were not listening (reconnect): L1 holds retired entries.
    const changed = this.#everKnown && version !== k.version;
    k.setVersion(version);
    this.#known = true;
    this.#everKnown = true;
    if (changed) this.#changedUnseen();
  }
}
