/**
 * Reads the measurements `headroom scale fit` takes: a CSV file with a header naming the columns
 * (N: `n`, `concurrency`, `nodes`, `load`, `processors`, `threads`, `users`; X: `throughput`, `x`,
 * `rps`, `tput`; or latency in ms: `latency_ms`, `latencyMs`), a headerless CSV of `N,X` rows, or
 * JSON: an array of `{ n, throughput }` / `{ n, latencyMs }` objects or `[N, X]` pairs, or an
 * object with such a `points` array (what `headroom scale fit --json` and `scale sweep --json` print).
 */
import { readFileSync } from 'node:fs';
import type { ScaleMeasurement } from 'headroom/scale';
import { invalidScaleFile } from './errors.js';

const N_NAMES = ['n', 'concurrency', 'nodes', 'load', 'processors', 'threads', 'users', 'workers'];
const X_NAMES = ['throughput', 'x', 'rps', 'tput', 'throughput_per_sec', 'ratepersec'];
const LATENCY_NAMES = ['latency_ms', 'latencyms', 'latency'];

/**
 * Reads and parses a measurements file (CSV or JSON, told apart by the first non-blank character).
 * The values themselves (positive, finite, enough of them) are checked by `fitUsl`.
 * @throws HR_SCALE_INVALID_FILE when the file cannot be read or parsed, naming the line or field
 */
export function readMeasurements(file: string): ScaleMeasurement[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidScaleFile(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const trimmed = text.trimStart();
  return trimmed.startsWith('[') || trimmed.startsWith('{') ? fromJson(file, text) : fromCsv(file, text);
}

function fromJson(file: string, text: string): ScaleMeasurement[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalidScaleFile(file, `is not valid JSON (${(error as Error).message})`);
  }
  const list = Array.isArray(data) ? data : typeof data === 'object' && data !== null ? (data as { points?: unknown }).points : undefined;
  if (!Array.isArray(list)) throw invalidScaleFile(file, 'expected a JSON array of measurements, or an object with a "points" array');
  return list.map((item: unknown, i) => {
    if (Array.isArray(item) && item.length === 2) return { n: toNumber(item[0]), throughput: toNumber(item[1]) };
    if (typeof item === 'object' && item !== null) {
      const o = item as Record<string, unknown>;
      if ('latencyMs' in o && !('throughput' in o)) return { n: toNumber(o['n']), latencyMs: toNumber(o['latencyMs']) };
      return { n: toNumber(o['n']), throughput: toNumber(o['throughput']) };
    }
    throw invalidScaleFile(file, `point ${i + 1} is neither { "n", "throughput" }, { "n", "latencyMs" } nor [N, X]`, { index: i });
  });
}

function fromCsv(file: string, text: string): ScaleMeasurement[] {
  const rows = text
    .split(/\r?\n/)
    .map((line, i) => ({ line: i + 1, cells: line.split(/[,;\t]/).map((c) => c.trim()) }))
    .filter((r) => r.cells.some((c) => c !== '') && !r.cells[0]!.startsWith('#'));
  if (rows.length === 0) throw invalidScaleFile(file, 'is empty; expected rows of N,X');
  const first = rows[0]!;
  const hasHeader = first.cells.some((c) => c !== '' && Number.isNaN(Number(c)));
  let nColumn = 0;
  let valueColumn = 1;
  let latency = false;
  if (hasHeader) {
    const names = first.cells.map((c) => c.toLowerCase().replace(/^"|"$/g, ''));
    nColumn = names.findIndex((c) => N_NAMES.includes(c));
    const x = names.findIndex((c) => X_NAMES.includes(c));
    const l = names.findIndex((c) => LATENCY_NAMES.includes(c));
    if (nColumn < 0 || (x < 0 && l < 0)) {
      throw invalidScaleFile(
        file,
        `line ${first.line}: the header (${first.cells.join(', ')}) names no N column (${N_NAMES.join('/')}) or no throughput (${X_NAMES.join('/')}) / latency (${LATENCY_NAMES.join('/')}) column`,
      );
    }
    latency = x < 0;
    valueColumn = latency ? l : x;
  }
  return rows.slice(hasHeader ? 1 : 0).map(({ line, cells }) => {
    const n = Number(cells[nColumn]);
    const value = Number(cells[valueColumn]);
    if (cells[nColumn] === undefined || cells[valueColumn] === undefined || cells[nColumn] === '' || cells[valueColumn] === '') {
      throw invalidScaleFile(file, `line ${line} has ${cells.length} column(s); expected N and ${latency ? 'latency' : 'throughput'}`, {
        line,
      });
    }
    return latency ? { n, latencyMs: value } : { n, throughput: value };
  });
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
}
