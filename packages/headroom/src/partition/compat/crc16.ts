/**
 * CRC-16/XMODEM (poly 0x1021, init 0, no reflection, no final xor; check value 0x31C3 for
 * "123456789"), the checksum Redis Cluster uses for key slots (redis/src/crc16.c, cluster spec).
 *
 * Strings are checksummed over their UTF-8 bytes, encoded inline (no allocation): a lone UTF-16
 * surrogate is encoded as U+FFFD (EF BF BD), which is what `Buffer.from(str)` and `TextEncoder`
 * send to Redis. Complexity O(bytes), one table lookup per byte.
 */

/** The CRC-16/XMODEM byte table (for callers that fuse the CRC with their own scan). */
export const CRC16_TABLE: Readonly<Uint16Array> = buildTable();
const TABLE = CRC16_TABLE;

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
}

/**
 * CRC-16/XMODEM of `bytes[start..end)`.
 * @param bytes - input bytes
 * @param start - first byte index, default 0
 * @param end - one past the last byte index, default `bytes.length`
 * @example crc16Bytes(new TextEncoder().encode('123456789')) === 0x31c3
 */
export function crc16Bytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

/**
 * CRC-16/XMODEM of the UTF-8 encoding of `str[start..end)` (UTF-16 indexes), without encoding
 * into a buffer.
 * @param str - input text
 * @param start - first UTF-16 index, default 0
 * @param end - one past the last UTF-16 index, default `str.length`
 * @example crc16String('123456789') === 0x31c3
 */
export function crc16String(str: string, start = 0, end = str.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    let c = str.charCodeAt(i);
    if (c < 0x80) {
      crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ c) & 0xff]!;
      continue;
    }
    if (c < 0x800) {
      crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ (0xc0 | (c >>> 6))) & 0xff]!;
      crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ (0x80 | (c & 0x3f))) & 0xff]!;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < end ? str.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ (0xf0 | (cp >>> 18))) & 0xff]!;
        crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ (0x80 | ((cp >>> 12) & 0x3f))) & 0xff]!;
        crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ (0x80 | ((cp >>> 6) & 0x3f))) & 0xff]!;
        crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ (0x80 | (cp & 0x3f))) & 0xff]!;
        continue;
      }
      c = 0xfffd; // lone surrogate: what Buffer.from / TextEncoder put on the wire
    }
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ (0xe0 | (c >>> 12))) & 0xff]!;
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ (0x80 | ((c >>> 6) & 0x3f))) & 0xff]!;
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ (0x80 | (c & 0x3f))) & 0xff]!;
  }
  return crc;
}
