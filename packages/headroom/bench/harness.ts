/**
 * The benchmark harness: a bench file registers suites; `bench/run.ts` measures them with mitata
 * and prints one table per suite with ns/op, ops/s and the ratio to the suite's named peer
 * (measured in the same process, in the same run — never against a remembered figure).
 *
 * Two kinds of suite:
 * - `compare(name, { peer, cases })`: micro-benchmarks, each case a function mitata times;
 * - `report(name, fn)`: anything else (hit ratios, memory, end-to-end runs) that returns a table.
 */
import { measure } from 'mitata';

/** A function to time; may return a promise. */
export type BenchFn = () => unknown;

/** A table produced by a `report` suite. */
export interface ReportTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  /** Optional notes printed under the table (e.g. the goal and whether it was met). */
  readonly notes?: readonly string[];
}

interface CompareSuite {
  readonly kind: 'compare';
  readonly name: string;
  readonly file: string;
  readonly peer: string;
  readonly cases: Readonly<Record<string, BenchFn>>;
}

interface ReportSuite {
  readonly kind: 'report';
  readonly name: string;
  readonly file: string;
  readonly run: () => Promise<ReportTable> | ReportTable;
}

/** A registered suite. */
export type Suite = CompareSuite | ReportSuite;

/** Every suite registered by the imported bench files, in registration order. */
export const suites: Suite[] = [];
let currentFile = '';

/** Set by the runner before importing each bench file. */
export function setCurrentFile(file: string): void {
  currentFile = file;
}

/**
 * Registers a micro-benchmark suite.
 * @param name - group title, e.g. `hash: 16-byte ASCII key`
 * @param options.peer - name of the case every other case is compared with
 * @param options.cases - name → function to time
 */
export function compare(name: string, options: { peer: string; cases: Record<string, BenchFn> }): void {
  if (!(options.peer in options.cases)) throw new Error(`bench "${name}": peer "${options.peer}" is not one of its cases`);
  suites.push({ kind: 'compare', name, file: currentFile, peer: options.peer, cases: options.cases });
}

/** Registers a suite that computes its own table. */
export function report(name: string, run: () => Promise<ReportTable> | ReportTable): void {
  suites.push({ kind: 'report', name, file: currentFile, run });
}

/** Mean time per call in ns, as measured by mitata. */
export async function timeNs(fn: BenchFn): Promise<number> {
  const stats = await measure(fn as () => unknown);
  return stats.avg;
}
