/**
 * How the load generator sends a phase's requests, all through Headroom's modules:
 * - a headroom/balance balancer picks the replica: round-robin, P2C over peak-EWMA, or key
 *   affinity (hashAffinity, on headroom/partition's bounded-load ring, keyed by product id);
 *   outlier ejection is off in every phase, so a comparison shows the picker alone;
 * - in hedging phases a headroom/latency HedgePolicy sends a backup after the recent latency
 *   percentile the scenario sets (p98),
 *   within a token budget, each attempt balanced on its own (so the backup usually lands elsewhere);
 * - every attempt carries what is left of the request's headroom/latency Deadline as a header, so
 *   a replica's limiter never queues work whose caller has given up.
 */
import { type PickerFactory, Balancer, hashAffinity, p2c, peakEwma, roundRobin } from 'headroom/balance';
import type { Clock, Random } from 'headroom';
import { type Deadline, HedgePolicy, deadlineHeaders } from 'headroom/latency';
import type { ReplicaClients, RequestPlan } from '../load/client.js';
import type { AttemptObserver, PhaseCall } from '../load/driver.js';
import type { PhaseSpec, Routing, ScenarioSpec } from '../scenarios/types.js';
import type { ReplicaEndpoint } from '../service/fleet.js';
import type { PickTrace } from './pick-trace.js';

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
  /** `--trace-picks`: the run's trace, which then sees every pick and round trip of the phase. */
  readonly trace?: PickTrace | null;
}

const PICKERS: Readonly<Record<Routing, () => PickerFactory>> = {
  'round-robin': roundRobin,
  'p2c-peak-ewma': () => p2c(),
  'key-affinity': () => hashAffinity(),
};

/** A replica's index by its origin, for the pick trace (-1 for an unknown one). */
function replicaIndex(endpoints: readonly ReplicaEndpoint[]): (id: string) => number {
  const byOrigin = new Map(endpoints.map((e) => [e.origin, e.index]));
  return (id) => byOrigin.get(id) ?? -1;
}

function phaseBalancer(ctx: Pick<PhaseClientContext, 'phase' | 'endpoints' | 'clock' | 'random' | 'trace'>) {
  const picker = PICKERS[ctx.phase.routing]();
  // The module's default decay window (3 s since the simulator's sweep, docs/sim.md); the lab
  // passed 1 s while the default was Finagle's 10 s.
  const load = peakEwma();
  const trace = ctx.trace ?? null;
  return new Balancer<number>({
    endpoints: ctx.endpoints.map((e) => ({ id: e.origin, target: e.index })),
    picker: trace === null ? picker : trace.picker(picker, replicaIndex(ctx.endpoints)),
    load: trace === null ? load : trace.load(load),
    outlier: false,
    clock: ctx.clock,
    random: ctx.random.fork('balancer'),
  });
}

/**
 * Where the phase's balancer would send each key, with no request in flight — for replaying past
 * traffic into the replicas' caches (round-robin takes turns, key affinity gives each product's
 * home replica; P2C, which needs live latencies, is not meant for it).
 */
export function phaseRouter(ctx: Pick<PhaseClientContext, 'phase' | 'endpoints' | 'clock' | 'random'>): {
  route(key: string): number;
  close(): void;
} {
  const balancer = phaseBalancer(ctx);
  return { route: (key) => balancer.pick(key)!.target, close: () => balancer.close() };
}

/**
 * An attempt's headers, made when it is sent: the deadline's carry the time left, and the sender
 * adds its own to the object, so each attempt gets a fresh one.
 */
function attemptHeaders(deadline: Deadline | undefined): Record<string, string> {
  return deadline === undefined ? {} : deadlineHeaders(deadline);
}

/** Builds the request path of one phase. */
export function createPhaseClient(ctx: PhaseClientContext): PhaseClient {
  const { clients, clock } = ctx;
  const balancer = phaseBalancer(ctx);
  const attempt = (
    plan: RequestPlan,
    deadline: Deadline | undefined,
    signal: AbortSignal,
    observe: AttemptObserver | undefined,
  ): Promise<number> => {
    // Unobserved attempts (the warm-up) go straight to the socket: no wrapper promise, no clock reads.
    const send =
      observe === undefined
        ? (endpoint: { target: number }, attemptSignal: AbortSignal): Promise<number> =>
            clients.send(endpoint.target, plan, attemptSignal, attemptHeaders(deadline))
        : async (endpoint: { target: number }, attemptSignal: AbortSignal): Promise<number> => {
            const sentMs = clock.now();
            const status = await clients.send(endpoint.target, plan, attemptSignal, attemptHeaders(deadline));
            if (status < 300) observe(endpoint.target, clock.now() - sentMs);
            return status;
          };
    return balancer.call(send, { signal, key: plan.key });
  };
  const hedgeSpec = ctx.scenario.hedge;
  if (!ctx.phase.hedging || hedgeSpec === null) {
    return { call: (plan, deadline, observe) => attempt(plan, deadline, deadline.signal, observe), close: () => balancer.close() };
  }
  const hedge = new HedgePolicy({
    percentile: hedgeSpec.delayPercentile,
    maxExtra: hedgeSpec.maxExtraAttempts,
    budget: { ratio: hedgeSpec.budgetRatio, minPerSec: 0, maxTokens: 10, initialTokens: 0 },
    clock,
    random: ctx.random.fork('hedge'),
  });
  const traced = ctx.trace?.hedges(hedge, clock);
  return {
    call: (plan, deadline, observe) => hedge.execute(({ signal, deadline: d }) => attempt(plan, d, signal, observe), { deadline }),
    close: () => {
      traced?.dispose();
      balancer.close();
    },
  };
}
