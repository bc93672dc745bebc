/**
 * How the load generator sends a phase's requests: the phase's routing policy picks a replica,
 * and in hedging phases a hedge policy may send a backup. TEMPORARY: routing is a plain cursor
 * until headroom/balance exports its pickers.
 */
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import type { ReplicaClients } from '../load/client.js';
import type { PhaseCall } from '../load/driver.js';
import type { PhaseSpec, ScenarioSpec } from '../scenarios/types.js';
import type { ReplicaEndpoint } from '../service/fleet.js';

/** A phase's request path, and what to release after it. */
export interface PhaseClient {
  readonly call: PhaseCall;
  close(): void;
}

/** Context for {@link createPhaseClient}. */
export interface PhaseClientContext {
  readonly phase: PhaseSpec;
  readonly scenario: ScenarioSpec;
  readonly clients: ReplicaClients;
  readonly endpoints: readonly ReplicaEndpoint[];
  readonly clock: Clock;
  readonly random: Random;
}

/** Builds the request path of one phase. */
export function createPhaseClient(ctx: PhaseClientContext): PhaseClient {
  let cursor = 0;
  const n = ctx.endpoints.length;
  return {
    call: (plan, signal) => ctx.clients.send(cursor++ % n, plan, signal),
    close: () => undefined,
  };
}

/** Why a phase cannot run here (a module it needs is missing), or null when it can. */
export function phaseUnavailable(phase: PhaseSpec): string | null {
  if (phase.cacheMode !== 'off') return 'headroom/cache does not export createCache yet';
  if (phase.hedging) return 'headroom/latency does not export hedging yet';
  if (phase.limiter) return 'headroom/latency does not export an adaptive limiter yet';
  if (phase.routing !== 'round-robin') return 'headroom/balance does not export p2c + peak-EWMA yet';
  return null;
}
