// Types for the reference-check peer murmurhash3js-revisited (ships none). Only what tests and
// benches use.
declare module 'murmurhash3js-revisited' {
  /** The x86 variants; inputs are byte arrays. */
  const murmur: {
    readonly x86: {
      /** 128-bit digest as 32 hex digits. */
      hash128(bytes: Uint8Array, seed?: number): string;
      /** 32-bit hash. */
      hash32(bytes: Uint8Array, seed?: number): number;
    };
  };
  export default murmur;
}
