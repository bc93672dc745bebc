/**
 * Server load reports in the simulator: each server runs the real `LoadReporter` of
 * `headroom/balance` on the engine's clock (RIF and the per-RIF latency median, counted from a
 * request's arrival at the server to its completion), and each client gets a `Prober` whose
 * probes travel as engine events — one network delay out, the server's report at that instant,
 * one delay back, seen by a stalled client only when its stall ends. Responses also carry the
 * server's report at completion (piggybacked), read by a C3 client's feedback just before the
 * response itself.
 *
 * A server's reported service time is that of the requests that started service on arrival
 * (their completion time is known then), so queueing is not counted twice in C3's score; for
 * processor-sharing servers it is the latency.
 *
 * Limits: probes are never lost and cost the server nothing (no CPU, no queueing); a queued request
 * withdrawn by `cancelQueued` stays counted in its server's RIF.
 */
import {
  C3Feedback,
  c3,
  LoadReporter,
  prequal,
  type LoadReport,
  type PickerFactory,
  type Prober,
  type RequestTicket,
} from '../balance/index.js';
import type { Attempt } from './call.js';
import type { Client } from './client.js';
import type { Sampler } from './distributions.js';
import type { SimEngine, SimHandler } from './engine.js';
import type { Random } from '../core/random.js';
import type { Server } from './server.js';
import type { PickerSpec } from './model-spec.js';
import { invalidOption } from './errors.js';

const ARRIVE = 1;
const PROBE_AT_SERVER = 2;
const PROBE_REPLY = 3;
const PIGGYBACK = 4;

/** What the probes need from the fleet. */
export interface ProbeHost {
  readonly engine: SimEngine;
  readonly servers: readonly Server[];
  readonly clients: readonly Client[];
  /** The one-way delay of the link between a client and a server (undefined: none). */
  linkDelay(client: number, server: number): Sampler | undefined;
}

interface InFlightProbe {
  readonly client: Client;
  readonly server: number;
  readonly done: (report: LoadReport | undefined) => void;
  report: LoadReport | undefined;
}

/** The reporters of every server and the probe events of every client. */
export class SimProbes implements SimHandler {
  readonly reporters: LoadReporter[];
  sent = 0;
  readonly #host: ProbeHost;
  readonly #random: Random;
  readonly #tickets = new Map<Attempt, RequestTicket>();
  /** Service time of attempts that started service on arrival (exact: their completion time is set). */
  readonly #service = new Map<Attempt, number>();
  readonly #arriving = new Map<number, Attempt>();
  readonly #probes = new Map<number, InFlightProbe>();
  readonly #piggybacks = new Map<number, { readonly a: Attempt; readonly report: LoadReport }>();
  /** C3 feedback of each client (C3 clients only). */
  readonly #feedback: (C3Feedback | undefined)[] = [];
  #nextId = 0;

  constructor(host: ProbeHost) {
    this.#host = host;
    this.#random = host.engine.random.fork('probes');
    this.reporters = host.servers.map(() => new LoadReporter({ clock: host.engine.clock }));
  }

  /** The engine's clock (replies are timestamped with it). */
  get clock(): SimEngine['clock'] {
    return this.#host.engine.clock;
  }

  /** A prober for client number `client` (ids are the simulator's `s<index>`). */
  proberFor(client: number): Prober {
    return {
      probe: (id, done) => {
        const server = Number(id.slice(1));
        const key = this.#nextId++;
        this.sent++;
        this.#probes.set(key, { client: this.#host.clients[client]!, server, done, report: undefined });
        this.#host.engine.after(this.#delay(client, server), this, PROBE_AT_SERVER, key);
      },
    };
  }

  /** Sends attempt `a` to its server after `delayMs`, counting its arrival in the server's reporter. */
  send(a: Attempt, delayMs: number): void {
    if (delayMs > 0) {
      const key = this.#nextId++;
      this.#arriving.set(key, a);
      this.#host.engine.after(delayMs, this, ARRIVE, key);
    } else {
      this.#arrive(a);
    }
  }

  /** Server `server` finished (or dropped) attempt `a`: its request leaves the RIF; returns the report it piggybacks. */
  finished(server: number, a: Attempt, ok: boolean): LoadReport {
    const reporter = this.reporters[server]!;
    const ticket = this.#tickets.get(a);
    if (ticket !== undefined) {
      this.#tickets.delete(a);
      const service = this.#service.get(a);
      if (service !== undefined) this.#service.delete(a);
      // Queued attempts' service time is not observable here: NaN leaves the average alone.
      reporter.end(ticket, ok, service ?? NaN);
    }
    return reporter.report();
  }

  /** The C3 feedback of client number `client` (created on first use). */
  feedbackFor(client: number): C3Feedback {
    return (this.#feedback[client] ??= new C3Feedback());
  }

  /**
   * The response to `a` leaves its server carrying `report` and reaches the client after
   * `delayMs` (call this before scheduling the response itself, so the report is read first).
   */
  piggyback(a: Attempt, report: LoadReport, delayMs: number): void {
    if (this.#feedback[a.client] === undefined) return;
    const key = this.#nextId++;
    this.#piggybacks.set(key, { a, report });
    if (delayMs > 0) this.#host.engine.after(delayMs, this, PIGGYBACK, key);
    else this.handle(PIGGYBACK, key);
  }

  handle(kind: number, arg: number): void {
    if (kind === PIGGYBACK) {
      const { a, report } = this.#piggybacks.get(arg)!;
      const client = this.#host.clients[a.client]!;
      const now = this.#host.engine.now;
      if (client.stalledUntil >= now) {
        this.#host.engine.at(client.stalledUntil, this, PIGGYBACK, arg);
        return;
      }
      this.#piggybacks.delete(arg);
      this.#feedback[a.client]!.observe(`s${a.server}`, report, now);
      return;
    }
    if (kind === ARRIVE) {
      const a = this.#arriving.get(arg)!;
      this.#arriving.delete(arg);
      this.#arrive(a);
      return;
    }
    const probe = this.#probes.get(arg)!;
    if (kind === PROBE_AT_SERVER) {
      const server = this.#host.servers[probe.server]!;
      probe.report = server.up ? this.reporters[probe.server]!.report() : undefined;
      this.#host.engine.after(this.#delay(probe.client.index, probe.server), this, PROBE_REPLY, arg);
    } else if (kind === PROBE_REPLY) {
      const now = this.#host.engine.now;
      if (probe.client.stalledUntil >= now) {
        this.#host.engine.at(probe.client.stalledUntil, this, PROBE_REPLY, arg);
        return;
      }
      this.#probes.delete(arg);
      probe.done(probe.report);
    }
  }

  #arrive(a: Attempt): void {
    const server = this.#host.servers[a.server]!;
    if (server.up) this.#tickets.set(a, this.reporters[a.server]!.begin());
    server.arrive(a);
    if (a.runIndex >= 0 && server.discipline !== 'ps') this.#service.set(a, server.doneAt(a) - this.#host.engine.now);
  }

  #delay(client: number, server: number): number {
    const net = this.#host.linkDelay(client, server);
    return net === undefined ? 0 : net.sample(this.#random);
  }
}

/** True when the picker a spec names needs server reports (Prequal probes them, C3 reads them off responses). */
export function usesProbes(spec: PickerSpec | undefined): boolean {
  const type = typeof spec === 'object' ? spec.type : spec;
  return type === 'prequal' || type === 'c3';
}

/** The picker of client number `client` of `clients`, for a spec {@link usesProbes} accepts. */
export function probingPickerFor(
  spec: PickerSpec | undefined,
  probes: SimProbes,
  client: number,
  clients: number,
  path = 'clients.picker',
): PickerFactory {
  try {
    if (spec === 'c3' || (typeof spec === 'object' && spec.type === 'c3')) {
      const s = typeof spec === 'object' && spec.type === 'c3' ? spec : { type: 'c3' as const };
      return c3({
        feedback: probes.feedbackFor(client),
        clients,
        ...(s.rateControl === undefined ? {} : { rateControl: s.rateControl }),
        ...(s.choices === undefined ? {} : { choices: s.choices }),
      });
    }
    const s = typeof spec === 'object' && spec.type === 'prequal' ? spec : { type: 'prequal' as const };
    return prequal({
      prober: probes.proberFor(client),
      clock: probes.clock,
      ...(s.probesPerQuery === undefined ? {} : { probesPerQuery: s.probesPerQuery }),
      ...(s.poolSize === undefined ? {} : { poolSize: s.poolSize }),
      ...(s.maxAge === undefined ? {} : { maxAge: s.maxAge }),
      ...(s.qRif === undefined ? {} : { qRif: s.qRif }),
      ...(s.removalsPerQuery === undefined ? {} : { removalsPerQuery: s.removalsPerQuery }),
      ...(s.maxProbesInFlight === undefined ? {} : { maxProbesInFlight: s.maxProbesInFlight }),
    });
  } catch (error) {
    throw invalidOption(path, spec, `valid picker options (${(error as Error).message})`);
  }
}
