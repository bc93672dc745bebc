/**
 * What a server says about its own load, in one small record shared by the probe endpoint and
 * the response header: requests in flight (Prequal's RIF, C3's queue size), the latency it expects
 * at that RIF (Prequal's estimate) and its recent service time (C3's 1/µ). Wire format: a header
 * `x-headroom-load: rif=3;latency=12.5;service=4.2` and the same fields as JSON on the probe path.
 */

/** A server's load as it reports it. */
export interface LoadReport {
  /** Requests in flight at the server when it answered (≥ 0). */
  readonly rif: number;
  /** Expected latency of a request arriving now, ms: the median of recent latencies at or near the current RIF. */
  readonly latencyMs: number;
  /** Recent service time, ms (an exponentially weighted mean of completed requests' times). */
  readonly serviceMs: number;
}

/** Header that carries a {@link LoadReport} on every response. */
export const LOAD_HEADER = 'x-headroom-load';

/** Default path of the probe endpoint. */
export const LOAD_PROBE_PATH = '/.headroom/load';

/** Formats a report as the header value. */
export function formatLoadReport(report: LoadReport): string {
  return `rif=${report.rif};latency=${round(report.latencyMs)};service=${round(report.serviceMs)}`;
}

/**
 * Parses a header value (or a JSON body's fields); undefined when a field is missing or not a
 * finite number ≥ 0, so a reply from a server without the reporter is simply ignored.
 */
export function parseLoadReport(value: unknown): LoadReport | undefined {
  if (typeof value === 'string') {
    let rif = NaN;
    let latencyMs = NaN;
    let serviceMs = NaN;
    for (const part of value.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const name = part.slice(0, eq).trim();
      const number = Number(part.slice(eq + 1));
      if (name === 'rif') rif = number;
      else if (name === 'latency') latencyMs = number;
      else if (name === 'service') serviceMs = number;
    }
    return valid(rif, latencyMs, serviceMs);
  }
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    return valid(v['rif'], v['latencyMs'], v['serviceMs']);
  }
  return undefined;
}

function valid(rif: unknown, latencyMs: unknown, serviceMs: unknown): LoadReport | undefined {
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return ok(rif) && ok(latencyMs) && ok(serviceMs) ? { rif, latencyMs, serviceMs } : undefined;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
