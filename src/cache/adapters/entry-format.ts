/**
 * Byte layout of an entry in a shared tier: one line of JSON metadata, a newline, then the
 * codec's payload. Metadata: `[softExpiresAt, hardExpiresAt, [tag, version, tag, version, …]]`
 * with epoch ms (null = never). The JSON line cannot contain a raw newline, so the first
 * newline byte always ends it.
 */
import type { Codec } from './codec.js';

/** An entry decoded from the tier, tag versions included. */
export interface StoredEntry<V> {
  readonly value: V;
  readonly softExpiresAt: number;
  readonly hardExpiresAt: number;
  /** `[tag, version]` pairs as written. */
  readonly tagVersions: readonly (readonly [string, number])[];
}

const NEWLINE = 10;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Serialises an entry. */
export function encodeEntry<V>(codec: Codec<V>, value: V, softExpiresAt: number, hardExpiresAt: number,
  tagVersions: readonly (readonly [string, number])[]): Buffer {
  const flat: (string | number)[] = [];
  for (const [tag, version] of tagVersions) flat.push(tag, version);
  const meta = JSON.stringify([finite(softExpiresAt), finite(hardExpiresAt), flat]);
  const payload = codec.encode(value);
  return Buffer.concat([encoder.encode(meta), Buffer.of(NEWLINE), typeof payload === 'string' ? encoder.encode(payload) : payload]);
}

/**
 * Parses an entry.
 * @throws when the bytes are not in this layout or the codec rejects the payload
 */
export function decodeEntry<V>(codec: Codec<V>, bytes: Uint8Array): StoredEntry<V> {
  const end = bytes.indexOf(NEWLINE);
  if (end < 0) throw new Error('no metadata line');
  const meta: unknown = JSON.parse(decoder.decode(bytes.subarray(0, end)));
  if (!Array.isArray(meta) || meta.length !== 3 || !Array.isArray(meta[2]) || meta[2].length % 2 !== 0) throw new Error('malformed metadata');
  const [soft, hard, flat] = meta as [unknown, unknown, unknown[]];
  const tagVersions: [string, number][] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const tag = flat[i];
    const version = flat[i + 1];
    if (typeof tag !== 'string' || typeof version !== 'number') throw new Error('malformed tag versions');
    tagVersions.push([tag, version]);
  }
  return { value: codec.decode(bytes.subarray(end + 1)), softExpiresAt: time(soft), hardExpiresAt: time(hard), tagVersions };
}

function finite(t: number): number | null {
  return Number.isFinite(t) ? Math.round(t) : null;
}

function time(t: unknown): number {
  if (t === null) return Infinity;
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new Error('malformed expiry');
  return t;
}
