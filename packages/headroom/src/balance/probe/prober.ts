/**
 * The seam through which a probing picker asks a server for its load: `probe(id, done)` sends one
 * probe and calls `done` once, later, with the server's {@link LoadReport} or `undefined` (failed,
 * timed out, or the server has no reporter). The picker never waits for it: probes travel off the
 * request path. `httpProber` (adapters/http-prober.ts) does it over HTTP for string balancers whose ids are origins; the
 * simulator delivers probes as events with network delay (sim/probes.ts); a test can answer from
 * a table.
 */
import type { LoadReport } from './load-report.js';

/** Sends load probes. */
export interface Prober {
  /**
   * Probes endpoint `id`; calls `done` exactly once, asynchronously (never before `probe`
   * returns), with the report or `undefined` when there is none.
   */
  probe(id: string, done: (report: LoadReport | undefined) => void): void;
}
