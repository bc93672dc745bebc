/** Number formatting shared by the scale verb's tables and report. */

/** Whole numbers as they are; others to `digits` significant digits (exponent only when tiny or huge); `–` for NaN, `∞`. */
export function sig(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return x === Infinity ? '∞' : '–';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toLocaleString('en-US');
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-4 && magnitude < 1e7) {
    const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(magnitude)));
    return x.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }
  return x.toExponential(digits - 1);
}
