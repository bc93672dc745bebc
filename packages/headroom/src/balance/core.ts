/**
 * The balancer's synchronous decider: membership, eligibility (health, ejection, draining, panic)
 * and the pick itself, over the candidate list (candidates.ts: effective weights, slow start) and
 * outlier ejection (ejection.ts). Every method takes
 * `now` and returns at once; the async driver (`Balancer`) adds the clock's timers, active health
 * probes and `call()`. The simulator and unit tests drive this class directly.
 *
 * Hot path (`pick`, `begin`, `end`): a due-time comparison, a dirty flag, the picker, counter
 * updates — no allocation (a `pick` event is built only while someone listens). Everything else
 * (membership, ejections, health flips) marks the candidate list dirty; it is rebuilt in O(n) on
 * the next pick.
 */
import { Emitter } from '../core/events.js';
import { LatencyHistogram } from '../core/histogram.js';
import type { Outcome } from '../core/outcome.js';
import type { Random } from '../core/random.js';
import { CandidateView } from './candidates.js';
import { Ejections } from './ejection.js';
import { Member, type Endpoint, type EndpointSpec } from './endpoint.js';
import { duplicateEndpointError, unknownEndpointError } from './errors.js';
import type { BalanceEvent } from './events.js';
import type { OutlierConfig } from './health/outlier.js';
import type { LoadMetricFactory } from './load-metric.js';
import type { Picker, PickerFactory } from './picker.js';
import { slowStartFactor, type SlowStartConfig } from './slow-start.js';
import type { BalancerSnapshot, EndpointSnapshot } from './snapshot.js';

/** Consecutive-probe thresholds of the active health check. */
export interface HealthThresholds {
  readonly healthy: number;
  readonly unhealthy: number;
}

/** Settings of a {@link BalancerCore}, already validated. */
export interface CoreConfig<T> {
  readonly picker: PickerFactory;
  readonly load: LoadMetricFactory;
  readonly random: Random;
  /** Below this % of endpoints healthy, pick among all of them; 0 disables panic. */
  readonly panicThresholdPercent: number;
  readonly slowStart: SlowStartConfig | undefined;
  readonly outlier: OutlierConfig | undefined;
  readonly health: HealthThresholds;
  /** Whether an endpoint starts healthy before its first probe. */
  readonly initiallyHealthy: boolean;
  /** Called when an endpoint leaves (removed, or drained to zero in-flight requests). */
  readonly onRemoved: (member: Member<T>) => void;
  /** Called when a readmission becomes due earlier than before, so the driver can arm a timer. */
  readonly wake: (atMs: number) => void;
}

/**
 * Synchronous balancer state machine. Use {@link Balancer} unless you drive time yourself.
 */
export class BalancerCore<T> {
  /** Every decision, as events. */
  readonly events = new Emitter<BalanceEvent<T>>();
  readonly #config: CoreConfig<T>;
  readonly #picker: Picker;
  readonly #ejections: Ejections<T> | undefined;
  readonly #members: Member<T>[] = [];
  readonly #byId = new Map<string, Member<T>>();
  readonly #view = new CandidateView<T>();
  #dirty = true;
  #panic = false;
  #weightsDueMs = Infinity;
  #dueMs = Infinity;

  constructor(config: CoreConfig<T>) {
    this.#config = config;
    this.#picker = config.picker.create({ random: config.random.fork('picker') });
    this.#ejections =
      config.outlier === undefined
        ? undefined
        : new Ejections<T>(
            config.outlier,
            {
              members: this.#members,
              events: this.events,
              changed: (now) => this.#changed(now),
              startRamp: (member, now) => this.#startRamp(member, now),
              readmissionDue: (atMs) => {
                this.#updateDue();
                config.wake(atMs);
              },
            },
            config.random.fork('ejection'),
          );
  }

  /** The picker's description. */
  get picker(): PickerFactory {
    return this.#config.picker;
  }

  /** Endpoints currently in the balancer (active and draining). */
  members(): readonly Endpoint<T>[] {
    return [...this.#members];
  }

  /** The member with `id`, or undefined. */
  get(id: string): Member<T> | undefined {
    return this.#byId.get(id);
  }

  /**
   * Adds an endpoint.
   * @param ramp - start a slow-start ramp (false for the initial endpoints of a balancer)
   * @throws HR_BALANCE_DUPLICATE_ENDPOINT when the id is present
   */
  add(spec: EndpointSpec<T>, weight: number, now: number, ramp: boolean): Member<T> {
    if (this.#byId.has(spec.id)) throw duplicateEndpointError(spec.id);
    const latencies = this.#config.outlier?.latency === undefined ? undefined : new LatencyHistogram();
    const member = new Member(spec, weight, this.#config.load.create(), this.#config.initiallyHealthy, latencies);
    if (ramp) this.#startRamp(member, now);
    this.#members.push(member);
    this.#byId.set(spec.id, member);
    this.#emitMembership(member, 'added', now);
    this.#changed(now);
    return member;
  }

  /**
   * Changes an endpoint's weight and/or metadata.
   * @throws HR_BALANCE_UNKNOWN_ENDPOINT
   */
  update(id: string, weight: number | undefined, metadata: Readonly<Record<string, string>> | undefined, now: number): Member<T> {
    const member = this.#require(id);
    if (weight !== undefined) member.weight = weight;
    if (metadata !== undefined) member.metadata = Object.freeze({ ...metadata });
    this.#dirty = true;
    this.#emitMembership(member, 'updated', now);
    return member;
  }

  /**
   * Stops new requests to an endpoint; it leaves once its in-flight requests finish.
   * @throws HR_BALANCE_UNKNOWN_ENDPOINT
   */
  drain(id: string, now: number): Member<T> {
    const member = this.#require(id);
    if (member.status === 'active') {
      member.status = 'draining';
      this.#emitMembership(member, 'draining', now);
      this.#changed(now);
    }
    if (member.outstanding === 0) this.#removeMember(member, now);
    return member;
  }

  /**
   * Removes an endpoint now; its in-flight requests finish unaffected.
   * @throws HR_BALANCE_UNKNOWN_ENDPOINT
   */
  remove(id: string, now: number): Member<T> {
    const member = this.#require(id);
    this.#removeMember(member, now);
    return member;
  }

  /** Chooses an endpoint for one request at `now`, or undefined when none is eligible. */
  pick(now: number, key: string | undefined): Member<T> | undefined {
    if (now >= this.#dueMs) this.tick(now);
    if (this.#dirty) this.#rebuild(now);
    const i = this.#picker.pick(this.#view, now, key);
    if (i < 0) return undefined;
    const member = this.#view.members[i]!;
    if (this.events.active) this.events.emit({ type: 'pick', atMs: now, endpoint: member, key });
    return member;
  }

  /** A request to `member` starts at `now`. */
  begin(member: Member<T>, now: number): void {
    member.outstanding++;
    member.metric.start(now);
    this.#view.adjustInflight(member, 1);
  }

  /** A request to `member` that took `latencyMs` ended at `now` with `outcome`. */
  end(member: Member<T>, now: number, latencyMs: number, outcome: Outcome): void {
    if (member.outstanding > 0) {
      member.outstanding--;
      this.#view.adjustInflight(member, -1);
    }
    member.metric.end(now, latencyMs, outcome);
    if (member.status === 'draining' && member.outstanding === 0) this.#removeMember(member, now);
    if (this.#ejections !== undefined && member.status === 'active') this.#ejections.record(member, now, latencyMs, outcome);
  }

  /** Records one active-health-probe result for `member`. */
  probeResult(member: Member<T>, ok: boolean, now: number, error: unknown): void {
    if (member.status === 'removed') return;
    const thresholds = this.#config.health;
    const first = member.probes++ === 0;
    if (ok) {
      member.probeFailures = 0;
      // A new endpoint that starts unhealthy needs only its first pass (as in Envoy).
      if (member.healthy || (++member.probePasses < thresholds.healthy && !first)) return;
      member.healthy = true;
      member.probePasses = 0;
      this.#startRamp(member, now);
    } else {
      member.probePasses = 0;
      if (!member.healthy || ++member.probeFailures < thresholds.unhealthy) return;
      member.healthy = false;
      member.probeFailures = 0;
    }
    this.events.emit({ type: 'health', atMs: now, endpoint: member, healthy: member.healthy, error: ok ? undefined : error });
    this.#changed(now);
  }

  /** Runs the interval rules of outlier detection (success rate, latency) and starts a new interval. */
  evaluateOutliers(now: number): void {
    this.#ejections?.evaluate(now);
  }

  /** Readmits endpoints whose ejection is over and refreshes slow-start weights; `pick` calls it when due. */
  tick(now: number): void {
    const ejections = this.#ejections;
    if (ejections !== undefined && now >= ejections.readmitDueMs) {
      ejections.readmitDue(now);
      this.#updateDue();
    }
    if (this.#dirty) this.#rebuild(now);
    else if (now >= this.#weightsDueMs) this.#refreshWeights(now);
  }

  /** When the next readmission is due, ms (Infinity when none). */
  get nextReadmissionMs(): number {
    return this.#ejections?.readmitDueMs ?? Infinity;
  }

  /** Plain, inspectable state at `now` (brings readmissions and the candidate list up to date first). */
  snapshot(now: number): BalancerSnapshot {
    if (now >= this.#dueMs) this.tick(now);
    if (this.#dirty) this.#rebuild(now);
    const slow = this.#config.slowStart;
    const endpoints = this.#members.map((m): EndpointSnapshot => ({
      id: m.id,
      status: m.status,
      weight: m.weight,
      effectiveWeight: slow === undefined ? m.weight : m.weight * slowStartFactor(slow, now - m.rampStartMs),
      metadata: m.metadata,
      outstanding: m.outstanding,
      load: m.metric.load(now),
      healthy: m.healthy,
      ejected: m.ejected,
      ejectedUntilMs: m.ejected ? m.ejectedUntilMs : undefined,
      ejections: m.ejections,
      consecutiveFailures: m.consecutiveFailures,
      candidate: this.#view.members.includes(m),
    }));
    return {
      atMs: now,
      picker: this.#config.picker.name,
      load: this.#config.load.name,
      panic: this.#panic,
      candidates: this.#view.size,
      endpoints,
    };
  }

  #require(id: string): Member<T> {
    const member = this.#byId.get(id);
    if (member === undefined) throw unknownEndpointError(id);
    return member;
  }

  #removeMember(member: Member<T>, now: number): void {
    if (member.status === 'removed') return;
    member.status = 'removed';
    member.ejected = false;
    member.slot = -1;
    this.#members.splice(this.#members.indexOf(member), 1);
    this.#byId.delete(member.id);
    this.#emitMembership(member, 'removed', now);
    this.#changed(now);
    this.#config.onRemoved(member);
  }

  #startRamp(member: Member<T>, now: number): void {
    if (this.#config.slowStart === undefined) return;
    member.rampStartMs = now;
    this.#dirty = true;
  }

  /** Marks the candidate list stale after a change at `now`; panic is re-judged at once so its event is timely. */
  #changed(now: number): void {
    this.#dirty = true;
    this.#updatePanic(now);
  }

  #updatePanic(now: number): boolean {
    let total = 0;
    let healthy = 0;
    for (const m of this.#members) {
      if (m.status !== 'active') continue;
      total++;
      if (m.healthy && !m.ejected) healthy++;
    }
    const panic = total > 0 && healthy * 100 < this.#config.panicThresholdPercent * total;
    if (panic !== this.#panic) {
      this.#panic = panic;
      this.events.emit({ type: 'panic', atMs: now, active: panic, healthy, total });
    }
    return panic;
  }

  /** Rebuilds the candidate list (and the effective weights) at `now`. */
  #rebuild(now: number): void {
    this.#view.rebuild(this.#members, this.#updatePanic(now));
    this.#dirty = false;
    this.#refreshWeights(now);
  }

  #refreshWeights(now: number): void {
    this.#weightsDueMs = this.#view.refreshWeights(this.#config.slowStart, now);
    this.#updateDue();
  }

  #updateDue(): void {
    this.#dueMs = Math.min(this.#ejections?.readmitDueMs ?? Infinity, this.#weightsDueMs);
  }

  #emitMembership(member: Member<T>, change: 'added' | 'updated' | 'draining' | 'removed', now: number): void {
    this.events.emit({ type: 'membership', atMs: now, endpoint: member, change });
  }
}
