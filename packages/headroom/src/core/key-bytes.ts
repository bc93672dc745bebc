/**
 * The bytes a hash reads: byte arrays as they are, strings as UTF-8 copied into one shared
 * scratch buffer (no allocation per call). ASCII is copied with `charCodeAt`; anything else goes
 * through `TextEncoder.encodeInto`.
 */

/** Bytes or a string (hashed as UTF-8). */
export type HashInput = string | Uint8Array;

let scratch = new Uint8Array(256);
const encoder = new TextEncoder();

/**
 * The bytes of the input last passed to {@link loadKey} (a live binding; for strings, a view of the
 * shared scratch buffer, valid until the next call).
 */
export let keyBytes: Uint8Array = scratch;

/**
 * Makes `keyBytes` hold the input's bytes and returns how many there are.
 * @param input - a string (encoded as UTF-8) or bytes (used in place)
 */
export function loadKey(input: HashInput): number {
  if (typeof input !== 'string') {
    keyBytes = input;
    return input.length;
  }
  const n = input.length;
  if (n * 3 > scratch.length) scratch = new Uint8Array(Math.max(n * 3, scratch.length * 2));
  const buf = scratch;
  keyBytes = buf;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x80) return encoder.encodeInto(input, buf).written;
    buf[i] = c;
  }
  return n;
}
