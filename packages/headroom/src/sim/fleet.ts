/**
 * One run of a {@link ModelSpec}: arrivals → clients (real pickers and load metrics) → network →
 * servers → network → clients, with hedging, timeouts, fan-out and faults, in an engine's virtual
 * time. Calls arriving after warm-up are measured; the run ends when the arrivals have stopped and
 * every call has finished (so Little's law is checked on whole sojourns).
 */
import { parseOptionalDuration, parsePositiveDuration } from '../core/duration.js';
import { LatencyHistogram } from '../core/histogram.js';
import type { Random } from '../core/random.js';
import { Arrivals } from './arrivals.js';
import type { Attempt } from './call.js';
import { AT_SERVER, Call, CallPool, RESPONSE_FAILED, RESPONSE_OK, type CallHost } from './call.js';
import { aperturePickerFor, Client, isAperture, loadFactory, pickerFactory } from './client.js';
import { sampler, type Sampler } from './distributions.js';
import { balanceConfig, type ProbeHost } from './ejection.js';
import { SimEngine, type SimHandler } from './engine.js';
import { invalidOption, seedProblem } from './errors.js';
import { ModelFeatures, PROGRESS_EVENTS, type ModelHooks } from './features.js';
import { checkModelSize } from './model-size.js';
import { FrontedServer } from './front.js';
import type { FaultSpec, ModelSpec } from './model-spec.js';
import { policyConfig } from './policies.js';
import type { RunResult } from './result.js';
import { Server, type Job, type ServerHost } from './server.js';
import { ServerSlab } from './server-slab.js';
import { RecordedPauses } from './recorded-pauses.js';
import { checkModelKeys } from './spec-keys.js';
import { LengthTail } from './stats.js';
import { Network } from './network.js';
import { TieRegistries } from './tied.js';
import { probingPickerFor, SimProbes, usesProbes } from './probes.js';
import { c3Load } from '../balance/index.js';

const WARMUP_END = 1;
const FAULT = 2;
const STALL_START = 3;
const STALL_END = 4;
const MACHINE_PAUSE_START = 5;
const MACHINE_PAUSE_END = 6;
const RECORDED_STALL_END = 7;

/**
 * Runs one model with one seed (an integer from 0 to `MAX_SEED`, 2^32 − 1) and returns what it measured.
 * @throws HR_SIM_INVALID_OPTION when the model names an impossible value (the message names the
 * field), or the seed is outside 0 … 2^32 − 1 (it would repeat the run of its low 32 bits)
 * @example runModel({ duration: '60s', arrivals: { type: 'poisson', ratePerSec: 800 }, servers: [{ count: 1, service: { type: 'exponential', mean: '1ms' } }] }, 1)
 */
export function runModel(spec: ModelSpec, seed: number, hooks: ModelHooks = {}): RunResult {
  return new Fleet(spec, seed, hooks).run();
}

/**
 * Checks a model without running it (builds its fleet).
 * @throws HR_SIM_INVALID_OPTION (or HR_CORE_INVALID_DURATION) naming the field, as {@link runModel} would
 */
export function checkModel(spec: ModelSpec): void {
  new Fleet(spec, 1, {});
}

class Fleet implements ServerHost, CallHost, SimHandler, ProbeHost {
  readonly engine: SimEngine;
  readonly servers: Server[] = [];
  readonly clients: Client[] = [];
  readonly warmupMs: number;
  readonly endMs: number;
  /** The network: each (client, server) link's delay and loss. */
  readonly network: Network;
  readonly netRandom: Random;
  readonly timeoutMs: number | undefined;
  readonly sloMs: number;
  aboveSlo = 0;
  readonly histogram = new LatencyHistogram();
  readonly tail: LengthTail;
  readonly arrivals: Arrivals;
  blocked: Uint8Array | undefined;
  /** Server load reports and client probes, when a picker probes (Prequal). */
  readonly probes: SimProbes | undefined;
  measuring = false;
  // counters (measured calls only, except where named)
  calls = 0;
  ok = 0;
  failed = 0;
  timedOut = 0;
  partial = 0;
  latencySum = 0;
  attempts = 0;
  hedges = 0;
  refused = 0;
  retries = 0;
  bothRan = 0;
  servedForNobody = 0;
  readonly ties: TieRegistries | undefined;
  readonly pool: CallPool | undefined;
  readonly onRoundTrip: ModelHooks['onRoundTrip'];
  lost = 0;
  inSystem = 0;
  #areaInSystem = 0;
  #stamp = 0;
  #allCalls = 0;
  readonly #faults: readonly FaultSpec[];
  readonly #stallRandom: Random;
  readonly #stalls: { readonly interval: Sampler; readonly duration: Sampler } | undefined;
  readonly #machinePauses: { readonly interval: Sampler; readonly duration: Sampler; readonly random: Random } | undefined;
  readonly #fanOut: ModelSpec['fanOut'];
  readonly #features: ModelFeatures;
  readonly #onDispatch: ModelHooks['onDispatch'];
  readonly #onPause: ModelHooks['onPause'];
  readonly #onProgress: ModelHooks['onProgress'];

  constructor(
    readonly spec: ModelSpec,
    seed: number,
    hooks: ModelHooks,
  ) {
    checkModelKeys(spec);
    const problem = seedProblem(seed);
    if (problem !== undefined) throw invalidOption('seed', seed, problem);
    this.engine = new SimEngine({ seed });
    const root = this.engine.random;
    const features = (this.#features = new ModelFeatures(spec, root, hooks));
    this.#onDispatch = hooks.onDispatch;
    this.#onPause = hooks.onPause;
    this.#onProgress = hooks.onProgress;
    this.onRoundTrip = hooks.onRoundTrip;
    this.endMs = parsePositiveDuration(spec.duration, 'duration', 0);
    this.warmupMs = parseOptionalDuration(spec.warmup, 'warmup', this.endMs / 10);
    if (!(this.warmupMs < this.endMs)) throw invalidOption('warmup', spec.warmup, `use a duration below duration (${this.endMs} ms)`);
    if (!Array.isArray(spec.servers) || spec.servers.length === 0)
      throw invalidOption('servers', spec.servers, 'use a non-empty list of server groups');
    checkModelSize(spec);
    const slab = new ServerSlab();
    spec.servers.forEach((g, gi) => {
      const path = `servers.${gi}`;
      if (!(Number.isInteger(g.count) && g.count >= 1)) throw invalidOption(`${path}.count`, g.count, 'use a positive integer, e.g. 10');
      const workers = g.workers === 'unbounded' ? Infinity : (g.workers ?? 1);
      if (!(workers === Infinity || (Number.isInteger(workers) && workers >= 1)))
        throw invalidOption(`${path}.workers`, g.workers, 'use a positive integer or "unbounded"');
      const discipline = g.discipline ?? 'fifo';
      if (!['fifo', 'lifo', 'ps'].includes(discipline)) throw invalidOption(`${path}.discipline`, g.discipline, 'use fifo, lifo or ps');
      const service = sampler(g.service, `${path}.service`);
      const pauses =
        g.pauses === undefined
          ? undefined
          : {
              interval: sampler(g.pauses.interval, `${path}.pauses.interval`),
              duration: sampler(g.pauses.duration, `${path}.pauses.duration`),
            };
      const front = features.front(g, path);
      const first = this.servers.length;
      for (let i = 0; i < g.count; i++) {
        const index = this.servers.length;
        const random = root.fork(`server-${index}`);
        this.servers.push(
          front === undefined
            ? new Server(index, workers, discipline, service, random.seed, this.engine, this, pauses, slab)
            : new FrontedServer(
                index,
                workers,
                discipline,
                service,
                random.seed,
                this.engine,
                this,
                pauses,
                front(this.engine, random.fork('front')),
                slab,
              ),
        );
      }
      if (g.pausesAt !== undefined) {
        const group = this.servers.slice(first);
        new RecordedPauses(this.engine, (length) => group.forEach((s) => s.pause(length)), g.pausesAt, `${path}.pausesAt`);
      }
    });
    const c = spec.clients ?? {};
    const count = c.count ?? 1;
    if (!(Number.isInteger(count) && count >= 1)) throw invalidOption('clients.count', c.count, 'use a positive integer, e.g. 1');
    const probes = usesProbes(c.picker) ? new SimProbes(this) : undefined;
    this.probes = probes;
    const picker = probes === undefined && !isAperture(c.picker) ? pickerFactory(c.picker) : undefined;
    const isC3 = c.picker === 'c3' || (typeof c.picker === 'object' && c.picker.type === 'c3');
    const load = isC3 ? c3Load() : loadFactory(c.load);
    const policy = policyConfig(c);
    this.ties = c.tied === undefined ? undefined : new TieRegistries(this.engine);
    const balance = balanceConfig(c);
    for (let i = 0; i < count; i++) {
      const own = picker ?? (probes === undefined ? aperturePickerFor(c.picker, i, count) : probingPickerFor(c.picker, probes, i, count));
      this.clients.push(new Client(i, this.servers.length, own, load, policy, root.fork(`client-${i}`), this.engine, balance, this));
    }
    const onHedge = hooks.onHedge;
    if (onHedge !== undefined)
      for (const client of this.clients) client.policies.hedge?.events.on((e) => onHedge(this.engine.now, client.index, e));
    this.sloMs = spec.slo === undefined ? Infinity : parsePositiveDuration(spec.slo, 'slo', 0);
    this.timeoutMs = c.timeout === undefined ? undefined : parsePositiveDuration(c.timeout, 'clients.timeout', 0);
    this.#stalls =
      c.stalls === undefined
        ? undefined
        : {
            interval: sampler(c.stalls.interval, 'clients.stalls.interval'),
            duration: sampler(c.stalls.duration, 'clients.stalls.duration'),
          };
    this.#stallRandom = root.fork('client-stalls');
    if (c.stallsAt !== undefined)
      new RecordedPauses(
        this.engine,
        (length) => this.clients.forEach((client) => this.#stall(client, length)),
        c.stallsAt,
        'clients.stallsAt',
      );
    this.network = new Network(spec.network, this.clients.length, spec.servers);
    this.netRandom = root.fork('network');
    this.#fanOut = spec.fanOut;
    if (spec.fanOut !== undefined) validateFanOut(spec.fanOut);
    const mp = spec.machinePauses;
    this.#machinePauses =
      mp === undefined
        ? undefined
        : {
            interval: sampler(mp.interval, 'machinePauses.interval'),
            duration: sampler(mp.duration, 'machinePauses.duration'),
            random: root.fork('machine-pauses'),
          };
    this.#faults = spec.faults ?? [];
    this.#faults.forEach((f, i) => this.#checkFault(f, i));
    features.attach(this.servers, this.engine);
    const tailLength = spec.queueTailLength ?? 16;
    this.tail = new LengthTail(this.servers.length, tailLength, 0);
    // Reuse finished calls unless something outside the call may still hold one of them or its
    // attempts: a front or the probes (they key maps by attempt), a fan-out parent, a client stall
    // (deferred timers), a per-attempt timeout (an event with no id to cancel).
    const fronted = this.servers.some((s) => s instanceof FrontedServer);
    this.pool =
      fronted ||
      probes !== undefined ||
      spec.fanOut !== undefined ||
      c.stalls !== undefined ||
      c.stallsAt !== undefined ||
      policy.attemptTimeoutMs !== undefined
        ? undefined
        : new CallPool();
    this.arrivals = new Arrivals(spec.arrivals, this.engine, root.fork('arrivals'), this.endMs, (i) => this.#arrive(i));
  }

  run(): RunResult {
    const engine = this.engine;
    engine.at(this.warmupMs, this, WARMUP_END, 0);
    this.#faults.forEach((f, i) => engine.at(f.atMs, this, FAULT, i));
    if (this.#stalls !== undefined)
      for (const client of this.clients) engine.after(this.#stalls.interval.sample(this.#stallRandom), this, STALL_START, client.index);
    const mp = this.#machinePauses;
    if (mp !== undefined) engine.after(mp.interval.sample(mp.random), this, MACHINE_PAUSE_START, 0);
    // Arrivals stop at endMs; pauses and stalls recur forever, so run until the last call is answered.
    if (this.#onProgress === undefined) {
      engine.run(this.endMs);
      while (this.inSystem > 0 && engine.step()) {
        /* drain the calls in flight */
      }
    } else {
      this.#runReporting(this.#onProgress);
    }
    const now = engine.now;
    this.#integrate(now);
    const window = now - this.warmupMs;
    const measuredMs = this.endMs - this.warmupMs;
    const served = this.servers.map((s) => s.served);
    const capacity = this.servers.reduce((a, s) => a + (s.workers === Infinity ? 0 : s.workers), 0);
    const busy = this.servers.reduce((a, s) => a + (s.workers === Infinity ? 0 : s.busyMs(now)), 0);
    const h = this.histogram;
    const L = this.#areaInSystem / window;
    const lambda = this.calls / window;
    const W = this.calls > 0 ? this.latencySum / (this.ok + this.failed) : 0;
    return {
      calls: this.calls,
      ok: this.ok,
      failed: this.failed,
      timedOut: this.timedOut,
      partial: this.partial,
      lost: this.lost,
      latency: (({ mean, p50, p90, p99, p999, max }) => ({ mean, p50, p90, p99, p999, max }))(h.snapshot()),
      aboveSlo: this.ok > 0 ? this.aboveSlo / this.ok : 0,
      meanSojournMs: W,
      attempts: this.attempts,
      hedges: this.hedges,
      hedgesRefused: this.refused,
      retries: this.retries,
      tiedBothRan: this.bothRan,
      servedForNobody: this.servedForNobody,
      extraLoad: this.calls > 0 ? this.hedges / this.attempts : 0,
      extraPerOriginal: ((originals) => (originals > 0 ? (this.attempts - originals) / originals : 0))(
        this.calls * (this.#fanOut?.leaves ?? 1),
      ),
      throughputPerSec: (this.ok * 1000) / measuredMs,
      waitProbability: ((arrived, waited) => (arrived > 0 ? waited / arrived : 0))(
        this.servers.reduce((a, s) => a + s.arrived, 0),
        this.servers.reduce((a, s) => a + s.waited, 0),
      ),
      utilization: capacity > 0 ? busy / (capacity * window) : Number.NaN,
      served,
      queueTail: this.tail.fractionsAtLeast(now),
      little: { L, lambdaW: lambda * W, relativeError: L > 0 ? Math.abs(L - lambda * W) / L : 0 },
      events: engine.executed,
      simulatedMs: now,
      traceHash: engine.traceHash,
      ...this.#features.result(this.servers),
      ...(this.probes === undefined ? {} : { probes: { sent: this.probes.sent, perCall: this.probes.sent / Math.max(1, this.#allCalls) } }),
    };
  }

  handle(kind: number, arg: number): void {
    const now = this.engine.now;
    if (kind === WARMUP_END) {
      this.#integrate(now);
      this.#areaInSystem = 0;
      this.measuring = true;
      this.tail.reset(now);
      for (const s of this.servers) s.resetBusy(now);
    } else if (kind === FAULT) {
      this.#applyFault(this.#faults[arg]!);
    } else if (kind === STALL_START) {
      const client = this.clients[arg]!;
      const length = this.#stalls!.duration.sample(this.#stallRandom);
      client.stallUntil(now + length);
      // the drawn stalls' own end, whichever stall ends last: it draws the next one
      this.engine.after(length, this, STALL_END, arg);
    } else if (kind === STALL_END) {
      this.engine.after(this.#stalls!.interval.sample(this.#stallRandom), this, STALL_START, arg);
      this.clients[arg]!.stallEnded(now);
    } else if (kind === RECORDED_STALL_END) {
      this.clients[arg]!.stallEnded(now);
    } else if (kind === MACHINE_PAUSE_START) {
      const mp = this.#machinePauses!;
      const length = mp.duration.sample(mp.random);
      for (const s of this.servers) s.pause(length);
      this.engine.after(length, this, MACHINE_PAUSE_END, 0);
    } else if (kind === MACHINE_PAUSE_END) {
      const mp = this.#machinePauses!;
      this.engine.after(mp.interval.sample(mp.random), this, MACHINE_PAUSE_START, 0);
    }
  }

  /** A recorded stall (`clients.stallsAt`) of `lengthMs` from now, held for the union with any stall the client is in. */
  #stall(client: Client, lengthMs: number): void {
    const until = this.engine.now + lengthMs;
    if (client.stallUntil(until)) this.engine.at(until, this, RECORDED_STALL_END, client.index);
  }

  // ---- CallHost ----

  /** A top-level call ended (`ok` false: failed or timed out). */
  callEnded(call: Call, ok: boolean, timedOut: boolean, partial: boolean): void {
    const now = this.engine.now;
    this.#integrate(now);
    this.inSystem--;
    this.#features.series?.callEnded(now - call.startMs, ok);
    if (!call.measured) return;
    const latency = now - call.startMs;
    this.latencySum += latency;
    if (ok) {
      this.ok++;
      this.histogram.record(latency);
      if (latency > this.sloMs) this.aboveSlo++;
      if (partial) this.partial++;
    } else {
      this.failed++;
      if (timedOut) this.timedOut++;
    }
  }

  /** Sends an attempt: network out (maybe lost), then the server. */
  send(a: Attempt): void {
    if (this.measuring) this.attempts++;
    if (this.#onDispatch !== undefined) this.#onDispatch(this.engine.now, a.client, a.server, a.call.client.inflight);
    if (this.#dropped(a, a.server)) return;
    const net = this.network.delayOf(a.client, a.server);
    const d = net === undefined ? 0 : net.sample(this.netRandom);
    if (this.probes !== undefined) this.probes.send(a, d);
    else if (d > 0) this.engine.after(d, a, AT_SERVER, a.generation);
    else this.servers[a.server]!.arrive(a);
  }

  countHedge(sent: boolean): void {
    if (!this.measuring) return;
    if (sent) this.hedges++;
    else this.refused++;
  }

  countRetry(): void {
    if (this.measuring) this.retries++;
  }

  countBothRan(): void {
    this.bothRan++;
  }

  /** A server-to-server message of `client`'s call goes over the link from that client to the receiving `server`. */
  peerDelay(client: number, server: number): number {
    const loss = this.network.lossOf(client, server);
    if (loss > 0 && this.netRandom.next() < loss) return -1;
    const net = this.network.delayOf(client, server);
    return net === undefined ? 0 : net.sample(this.netRandom);
  }

  /** The one-way delay of the link between `client` and `server` (undefined: none). */
  linkDelay(client: number, server: number): Sampler | undefined {
    return this.network.delayOf(client, server);
  }

  owner(key: number, attempt: number, client: Client): number {
    return this.#features.router?.owner(key, attempt, client) ?? -1;
  }

  // ---- ProbeHost ----

  probeRoundTrip(client: number, server: number): number {
    if (this.blocked !== undefined && this.blocked[client * this.servers.length + server] === 1) return -1;
    const loss = this.network.lossOf(client, server);
    if (loss > 0 && (this.netRandom.next() < loss || this.netRandom.next() < loss)) return -1;
    const net = this.network.delayOf(client, server);
    return net === undefined ? 0 : net.sample(this.netRandom) + net.sample(this.netRandom);
  }

  serverUp(server: number): boolean {
    return this.servers[server]!.up;
  }

  // ---- ServerHost ----

  finished(server: Server, job: Job, ok: boolean): void {
    const a = job as Attempt;
    if (ok && a.cancelled && a.call.measured) this.servedForNobody++;
    const report = this.probes?.finished(server.index, a, ok);
    if (this.#dropped(a, server.index)) return;
    const net = this.network.delayOf(a.client, server.index);
    const d = net === undefined ? 0 : net.sample(this.netRandom);
    if (report !== undefined) this.probes!.piggyback(a, report, d);
    if (d > 0) this.engine.after(d, a, ok ? RESPONSE_OK : RESPONSE_FAILED, a.generation);
    else a.call.response(a, ok);
  }

  lengthChanged(from: number, to: number): void {
    this.tail.change(from, to, this.engine.now);
  }

  paused(server: Server, lengthMs: number): void {
    this.#onPause?.(this.engine.now, server.index, lengthMs);
  }

  // ---- internals ----

  /**
   * What `run` does, reporting progress: the arrival phase in chunks of virtual time sized to
   * about {@link PROGRESS_EVENTS} events each (events run in the same order as in one
   * `engine.run(endMs)`: each chunk runs every event due by its end), the drain in steps.
   */
  #runReporting(onProgress: NonNullable<ModelHooks['onProgress']>): void {
    const engine = this.engine;
    const report = (): void =>
      onProgress({ simulatedMs: engine.now, durationMs: this.endMs, events: engine.executed, inFlight: this.inSystem });
    // the first chunk is short (a long run's thousandth could hold minutes of events), then each is
    // resized to about PROGRESS_EVENTS events by the rate of the one before
    let chunk = Math.min(this.endMs / 1000, 1);
    let t = 0;
    while (t < this.endMs) {
      t = Math.min(this.endMs, t + chunk);
      const ran = engine.run(t);
      report();
      chunk = ran === 0 ? chunk * 4 : chunk * Math.min(4, Math.max(0.25, PROGRESS_EVENTS / ran));
    }
    let steps = 0;
    while (this.inSystem > 0 && engine.step()) {
      if (++steps === PROGRESS_EVENTS) {
        steps = 0;
        report();
      }
    }
  }

  #arrive(index: number): void {
    const now = this.engine.now;
    this.#integrate(now);
    this.inSystem++;
    this.#allCalls++;
    const measured = now >= this.warmupMs;
    if (measured) this.calls++;
    const client = this.clients[index % this.clients.length]!;
    const call = Call.make(this, client, now, measured, this.#features.keys?.next() ?? -1);
    // A stalled client sends nothing until its event loop runs again (timed from the arrival): the
    // load generator's timer is one of the timers that run when the stall ends.
    if (client.stalledUntil >= now) client.defer({ handle: () => call.begin(this.#fanOut, this.timeoutMs) }, 0, 0);
    else call.begin(this.#fanOut, this.timeoutMs);
  }

  /** True when the network loses a message between `a`'s client and `server` (a partition, or random loss on their link). */
  #dropped(a: Attempt, server: number): boolean {
    if (this.blocked !== undefined && this.blocked[a.client * this.servers.length + server] === 1) return this.#lose();
    const loss = this.network.lossOf(a.client, server);
    if (loss > 0 && this.netRandom.next() < loss) return this.#lose();
    return false;
  }

  #lose(): boolean {
    if (this.measuring) this.lost++;
    return true;
  }

  #integrate(now: number): void {
    this.#areaInSystem += this.inSystem * (now - this.#stamp);
    this.#stamp = now;
  }

  #checkFault(f: FaultSpec, i: number): void {
    const path = `faults.${i}`;
    if (!(f.atMs >= 0)) throw invalidOption(`${path}.atMs`, f.atMs, 'use a time in ms ≥ 0');
    if (!Array.isArray(f.servers) || f.servers.some((s) => !(Number.isInteger(s) && s >= 0 && s < this.servers.length)))
      throw invalidOption(`${path}.servers`, f.servers, `list server indexes from 0 to ${this.servers.length - 1}`);
    if (f.action === 'slow' && !(f.factor > 0)) throw invalidOption(`${path}.factor`, f.factor, 'use a positive factor, e.g. 10');
    if (
      (f.action === 'partition' || f.action === 'heal') &&
      (!Array.isArray(f.clients) || f.clients.some((c) => !(Number.isInteger(c) && c >= 0 && c < this.clients.length)))
    )
      throw invalidOption(`${path}.clients`, f.clients, `list client indexes from 0 to ${this.clients.length - 1}`);
    if (!['crash', 'restart', 'recover', 'slow', 'partition', 'heal'].includes(f.action))
      throw invalidOption(`${path}.action`, f.action, 'use crash, restart, slow, recover, partition or heal');
  }

  #applyFault(f: FaultSpec): void {
    for (const index of f.servers) {
      const s = this.servers[index]!;
      if (f.action === 'crash') {
        s.crash();
        this.#features.router?.leave(index);
      } else if (f.action === 'restart') {
        s.restart();
        this.#features.router?.join(index);
      } else if (f.action === 'slow') s.factor = f.factor;
      else if (f.action === 'recover') s.factor = 1;
      else if (f.action === 'partition' || f.action === 'heal') {
        this.blocked ??= new Uint8Array(this.clients.length * this.servers.length);
        for (const c of f.clients) this.blocked[c * this.servers.length + index] = f.action === 'partition' ? 1 : 0;
      }
    }
  }
}

function validateFanOut(f: NonNullable<ModelSpec['fanOut']>): void {
  if (!(Number.isInteger(f.leaves) && f.leaves >= 1)) throw invalidOption('fanOut.leaves', f.leaves, 'use a positive integer, e.g. 100');
  const c = f.complete ?? 'all';
  if (c === 'all') return;
  if (typeof c === 'object' && 'quorum' in c) {
    if (!(Number.isInteger(c.quorum) && c.quorum >= 1 && c.quorum <= f.leaves))
      throw invalidOption('fanOut.complete.quorum', c.quorum, `use an integer from 1 to leaves (${f.leaves})`);
  } else if (typeof c === 'object' && 'deadline' in c) {
    parsePositiveDuration(c.deadline, 'fanOut.complete.deadline', 0);
  } else {
    throw invalidOption('fanOut.complete', c, 'use "all", { "quorum": n } or { "deadline": "50ms" }');
  }
}
