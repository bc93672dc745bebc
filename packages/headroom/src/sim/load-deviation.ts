/**
 * The per-server load distribution Finagle's balancer simulation prints at its end: the optimal
 * load (total requests / servers) and, per server, its requests and how far they are from optimal
 * (absolute and as a percentage of optimal).
 */

/** One server's row of the load distribution. */
export interface ServerLoad {
  /** Server index. */
  readonly server: number;
  /** Requests it received. */
  readonly load: number;
  /** |load − optimal|. */
  readonly deviation: number;
  /** |load − optimal| / optimal, in percent. */
  readonly deviationPercent: number;
}

/** The load distribution of one run. */
export interface LoadDeviation {
  /** Total requests / servers. */
  readonly optimal: number;
  /** One row per server, in server order. */
  readonly servers: readonly ServerLoad[];
  /** Mean of |load − optimal| / optimal over the servers, in percent. */
  readonly meanDeviationPercent: number;
  /** Largest |load − optimal| / optimal, in percent. */
  readonly maxDeviationPercent: number;
}

/**
 * The load distribution of requests per server (e.g. `RunResult.served`).
 * @example loadDeviation([90, 110]).servers[0].deviationPercent // 10
 */
export function loadDeviation(served: readonly number[]): LoadDeviation {
  const total = served.reduce((a, b) => a + b, 0);
  const optimal = served.length > 0 ? total / served.length : 0;
  const servers = served.map((load, server) => {
    const deviation = Math.abs(load - optimal);
    return { server, load, deviation, deviationPercent: optimal > 0 ? (deviation / optimal) * 100 : 0 };
  });
  const percents = servers.map((s) => s.deviationPercent);
  return {
    optimal,
    servers,
    meanDeviationPercent: percents.length > 0 ? percents.reduce((a, b) => a + b, 0) / percents.length : 0,
    maxDeviationPercent: percents.length > 0 ? Math.max(...percents) : 0,
  };
}
