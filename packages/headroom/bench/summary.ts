/**
 * Summaries of a bench's repeated measurements, shared by the suites: the median (the middle
 * value; the upper one of an even count) and the range as the tables print it.
 */

/** The middle value of `values` (the upper middle of an even count); `values` is not reordered. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

/** `min–max` of `values`, each with `digits` decimals. */
export function range(values: readonly number[], digits: number): string {
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}
