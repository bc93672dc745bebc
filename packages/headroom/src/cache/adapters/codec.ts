/**
 * Value codecs for shared tiers. A codec turns a value into bytes (or a string) and back.
 * `jsonCodec` (the default) parses defensively: keys named `__proto__`, and `constructor`
 * objects carrying a `prototype`, are dropped, so a value planted in Redis cannot pollute
 * prototypes when the application later merges it into another object.
 */

/** Encodes values for a shared tier. */
export interface Codec<V> {
  /** Name stored nowhere; for messages. */
  readonly name: string;
  encode(value: V): string | Uint8Array;
  /** @throws on malformed input (the tier then treats the entry as a miss) */
  decode(bytes: Uint8Array): V;
}

/** JSON text, parsed without prototype pollution. Values must be JSON-serialisable. */
export function jsonCodec<V>(): Codec<V> {
  return {
    name: 'json',
    encode: (value) => JSON.stringify(value),
    decode: (bytes) =>
      safeJsonParse((Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8')) as V,
  };
}

/** Raw bytes: values are Buffers/Uint8Arrays stored as they are (e.g. msgpack you encode yourself). */
export function bytesCodec(): Codec<Uint8Array> {
  return {
    name: 'bytes',
    encode: (value) => value,
    decode: (bytes) => Buffer.from(bytes),
  };
}

/**
 * `JSON.parse` that drops `__proto__` keys and `constructor.prototype` payloads.
 * @example safeJsonParse('{"__proto__":{"admin":true},"a":1}') // { a: 1 }
 */
export function safeJsonParse(text: string): unknown {
  // The reviver costs a call per key; only text that mentions the dangerous names needs it.
  // (Escapes are checked too: "\u005f_proto__" also parses to "__proto__".)
  if (!text.includes('__proto__') && !text.includes('constructor') && !text.includes('\\u')) return JSON.parse(text);
  return JSON.parse(text, function reviver(this: unknown, key: string, value: unknown) {
    if (key === '__proto__') return undefined;
    if (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value) return undefined;
    return value;
  });
}
