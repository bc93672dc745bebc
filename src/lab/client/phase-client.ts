/**
 * How the load generator sends a phase's requests: a headroom/balance balancer (round-robin, or
 * P2C over peak-EWMA) picks the replica, and in hedging phases a hedge policy may send a backup.
 * Outlier ejection is off in every phase, so a comparison shows the picker alone.
 */
import { createBalancer, p2c, peakEwma, roundRobin } from '../../balance/index.js';
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
  const balancer = createBalancer<number>({
    endpoints: ctx.endpoints.map((e) => ({ id: e.origin, target: e.index })),
    picker: ctx.phase.routing === 'round-robin' ? roundRobin() : p2c(),
    load: peakEwma(),
    outlier: false,
    clock: ctx.clock,
    random: ctx.random.fork('balancer'),
  });
  const { clients } = ctx;
  return {
    call: (plan, signal) => balancer.call((endpoint, attemptSignal) => clients.send(endpoint.target, plan, attemptSignal), { signal }),
    close: () => balancer.close(),
  };
}

/** Why a phase cannot run here (a module it needs is missing), or null when it can. */
export function phaseUnavailable(phase: PhaseSpec): string | null {
  if (phase.hedging) return 'headroom/latency does not export hedging yet';
  if (phase.limiter) return 'headroom/latency does not export an adaptive limiter yet';
  return null;
}
