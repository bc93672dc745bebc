/**
 * Reads what `headroom scale plan --fit` takes: the JSON `headroom scale fit --json` prints (then
 * the points in it are fitted again, so the plan has the fit's intervals exactly), or a bare
 * `{ "alpha", "beta", "gamma" }` (or `{ "coefficients": { … } }`) written by hand (then the plan
 * has no margin).
 */
import { readFileSync } from 'node:fs';
import { fitUsl, type UslCoefficients, type UslFit } from 'headroom/scale';
import { invalidScaleFile } from './errors.js';

/**
 * Reads a fit file.
 * @throws HR_SCALE_INVALID_FILE when it cannot be read or holds neither points nor coefficients
 * @throws the fit's data errors (HR_SCALE_*) when its points cannot be fitted
 */
export function readFit(file: string): UslFit | { readonly coefficients: UslCoefficients } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw invalidScaleFile(file, e.code === undefined ? `is not valid JSON (${e.message})` : `cannot be read (${e.code})`);
  }
  if (typeof data !== 'object' || data === null)
    throw invalidScaleFile(file, 'expected the JSON object `headroom scale fit --json` prints');
  const o = data as Record<string, unknown>;
  if (Array.isArray(o['points'])) {
    const points = o['points'] as { n?: unknown; throughput?: unknown }[];
    const level = typeof o['level'] === 'number' ? o['level'] : undefined;
    const interval = o['interval'] === 'two-sided' ? 'two-sided' : 'usl';
    return fitUsl(
      points.map((p) => ({ n: Number(p.n), throughput: Number(p.throughput) })),
      level === undefined ? { interval } : { level, interval },
    );
  }
  const c = (typeof o['coefficients'] === 'object' && o['coefficients'] !== null ? o['coefficients'] : o) as Record<string, unknown>;
  const [alpha, beta, gamma] = [c['alpha'], c['beta'], c['gamma']];
  if (typeof alpha === 'number' && typeof beta === 'number' && typeof gamma === 'number' && alpha >= 0 && beta >= 0 && gamma > 0) {
    return { coefficients: { alpha, beta, gamma } };
  }
  throw invalidScaleFile(file, 'holds neither "points" (from `headroom scale fit --json`) nor coefficients alpha ≥ 0, beta ≥ 0, gamma > 0');
}

/**
 * Parses a throughput target: `5000`, `5000rps`, `5000/s`, `5k`, `5k rps`, `1.2M/s`.
 * @returns requests (operations) per second, or NaN when the text is not one of those forms
 */
export function parseThroughput(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*(rps|req\/s|\/s|ops|ops\/s)?\s*$/.exec(text);
  if (m === null) return Number.NaN;
  const scale = m[2]!.toLowerCase() === 'k' ? 1e3 : m[2]!.toLowerCase() === 'm' ? 1e6 : 1;
  return Number(m[1]) * scale;
}
