/**
 * Byte layout of an entry in a shared tier — a small binary header, then the codec's payload:
 *
 *   u8  format (1)
 *   f64 softExpiresAt, f64 hardExpiresAt   epoch ms, little-endian (Infinity = never)
 *   u16 tag count, then per tag: u16 byte length, UTF-8 name, f64 version
 *   …   payload
 *
 * Binary because it is parsed on every L2 hit: reading two doubles costs nothing next to a
 * JSON.parse of a metadata line.
 */
import type { TierEntry } from '../tier.js';
import type { Codec } from './codec.js';

/**
 * An entry decoded from the tier, tag versions included. It is itself the `TierEntry` handed to
 * the cache (one object per L2 hit, not two).
 */
export interface StoredEntry<V> extends TierEntry<V> {
  /** `[tag, version]` pairs as written. */
  readonly tagVersions: readonly (readonly [string, number])[];
}

const FORMAT = 1;
const NO_TAGS: readonly (readonly [string, number])[] = [];

/** Serialises an entry. */
export function encodeEntry<V>(
  codec: Codec<V>,
  value: V,
  softExpiresAt: number,
  hardExpiresAt: number,
  tagVersions: readonly (readonly [string, number])[],
): Buffer {
  const payload = codec.encode(value);
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const names = tagVersions.map(([tag]) => Buffer.from(tag, 'utf8'));
  let size = 19 + body.byteLength;
  for (const name of names) size += 10 + name.byteLength;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt8(FORMAT, 0);
  out.writeDoubleLE(softExpiresAt, 1);
  out.writeDoubleLE(hardExpiresAt, 9);
  out.writeUInt16LE(names.length, 17);
  let at = 19;
  names.forEach((name, i) => {
    out.writeUInt16LE(name.byteLength, at);
    out.set(name, at + 2);
    out.writeDoubleLE(tagVersions[i]![1], at + 2 + name.byteLength);
    at += 10 + name.byteLength;
  });
  out.set(body, at);
  return out;
}

/**
 * Parses an entry.
 * @throws when the bytes are not in this layout or the codec rejects the payload
 */
export function decodeEntry<V>(codec: Codec<V>, bytes: Buffer): StoredEntry<V> {
  if (bytes.byteLength < 19 || bytes.readUInt8(0) !== FORMAT) throw new Error('not a headroom entry (unknown format)');
  const softExpiresAt = bytes.readDoubleLE(1);
  const hardExpiresAt = bytes.readDoubleLE(9);
  const count = bytes.readUInt16LE(17);
  let at = 19;
  let tagVersions = NO_TAGS;
  if (count > 0) {
    const pairs: [string, number][] = [];
    for (let i = 0; i < count; i++) {
      const length = bytes.readUInt16LE(at);
      pairs.push([bytes.toString('utf8', at + 2, at + 2 + length), bytes.readDoubleLE(at + 2 + length)]);
      at += 10 + length;
    }
    tagVersions = pairs;
  }
  if (Number.isNaN(softExpiresAt) || Number.isNaN(hardExpiresAt) || at > bytes.byteLength) throw new Error('malformed entry header');
  const tags = count === 0 ? undefined : tagVersions.map(([tag]) => tag);
  return { value: codec.decode(bytes.subarray(at)), softExpiresAt, hardExpiresAt, tags, tagVersions };
}
