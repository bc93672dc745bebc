/**
 * Prequal's probe-reuse budget (Wydrowski et al., NSDI 2024, §4): how many queries may use one
 * probe reply before it is dropped, chosen so the pool is refilled as fast as it is drained.
 *
 * Per query the client sends `rProbe` probes; a reply whose server already has an entry replaces
 * it (probability ≈ m/n for a pool of m entries over n servers), so entries are *added* at
 * (1 − m/n)·rProbe per query. They leave at `rRemove` per query by removal and at 1/b per query by
 * use (each query uses one entry; an entry lasts b uses). Balance: (1 − m/n)·rProbe = rRemove + 1/b,
 * so b = 1 / ((1 − m/n)·rProbe − rRemove), with a safety margin (1 + δ) and at least 1.
 *
 * The other reading of the printed formula, 1 − (m/n)·rProbe − rRemove, is not what the balance
 * says: it mixes a pure number with rates per query and gives a finite budget with no probes at
 * all (rProbe = 0). When the denominator is ≤ 0 (a pool as large as the fleet, or too few probes)
 * nothing refills the pool faster than it drains, and reuse is left unbounded (entries then leave
 * only by age and removal).
 */

/**
 * The reuse budget b_reuse: uses allowed per probe reply, ≥ 1, or Infinity when unbounded.
 * @param rProbe - probes sent per query
 * @param rRemove - entries removed per query
 * @param poolSize - m, the pool's capacity
 * @param servers - n, the candidates
 * @param delta - safety margin δ
 */
export function reuseBudget(rProbe: number, rRemove: number, poolSize: number, servers: number, delta: number): number {
  const fresh = (1 - Math.min(poolSize, servers) / Math.max(servers, 1)) * rProbe - rRemove;
  if (!(fresh > 0)) return Infinity;
  return Math.max(1, (1 + delta) / fresh);
}
