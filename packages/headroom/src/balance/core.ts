/**
 * The balancer's synchronous decider: membership, eligibility (health, ejection, draining, panic),
 * effective weights (slow start), outlier bookkeeping and the pick itself. Every method takes
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
import type { Random } from '../core/random.js';
import { Member, type Endpoint, type EndpointSpec } from './endpoint.js';
import { duplicateEndpointError, unknownEndpointError } from './errors.js';
import type { BalanceEvent, EjectionReason } from './events.js';
import { latencyOutliers, nextEjectionMs, successRateOutliers, type OutlierConfig } from './health/outlier.js';
import type { Outcome } from '../core/outcome.js';
import type { LoadMetricFactory } from './load-metric.js';
import type { Candidates, Picker, PickerFactory } from './picker.js';
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

/** The candidate list handed to pickers: dense arrays rebuilt only when something changes. */
class CandidateView<T> implements Candidates {
  members: Member<T>[] = [];
  weights = new Float64Array(8);
  inflight = new Float64Array(0);
  totalInflight = 0;
  size = 0;
  listVersion = 0;
  weightVersion = 0;

  weight(i: number): number {
    return this.weights[i]!;
  }

  load(i: number, now: number): number {
    return this.members[i]!.metric.load(now);
  }

  id(i: number): string {
    return this.members[i]!.id;
  }
}

/**
 * Synchronous balancer state machine. Use {@link Balancer} unless you drive time yourself.
 */
export class BalancerCore<T> {
  /** Every decision, as events. */
  readonly events = new Emitter<BalanceEvent<T>>();
  readonly #config: CoreConfig<T>;
  readonly #picker: Picker;
  readonly #ejectionRandom: Random;
  readonly #members: Member<T>[] = [];
  readonly #byId = new Map<string, Member<T>>();
  readonly #view = new CandidateView<T>();
  #dirty = true;
  #panic = false;
  #readmitDueMs = Infinity;
  #weightsDueMs = Infinity;
  #dueMs = Infinity;

  constructor(config: CoreConfig<T>) {
    this.#config = config;
    this.#picker = config.picker.create({ random: config.random.fork('picker') });
    this.#ejectionRandom = config.random.fork('ejection');
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
    if (member.slot >= 0) {
      this.#view.inflight[member.slot]!++;
      this.#view.totalInflight++;
    }
  }

  /** A request to `member` that took `latencyMs` ended at `now` with `outcome`. */
  end(member: Member<T>, now: number, latencyMs: number, outcome: Outcome): void {
    if (member.outstanding > 0) {
      member.outstanding--;
      if (member.slot >= 0) {
        this.#view.inflight[member.slot]!--;
        this.#view.totalInflight--;
      }
    }
    member.metric.end(now, latencyMs, outcome);
    if (member.status === 'draining' && member.outstanding === 0) this.#removeMember(member, now);
    const outlier = this.#config.outlier;
    if (outlier === undefined || outcome === 'ignored' || member.status !== 'active') return;
    member.latencies?.record(latencyMs);
    if (outcome === 'success') {
      member.intervalSuccesses++;
      member.consecutiveFailures = 0;
      return;
    }
    member.intervalFailures++;
    member.consecutiveFailures++;
    if (outlier.consecutiveErrors > 0 && member.consecutiveFailures >= outlier.consecutiveErrors) {
      this.#eject(member, 'consecutive-errors', now, member.consecutiveFailures === outlier.consecutiveErrors);
    }
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
    const outlier = this.#config.outlier;
    if (outlier === undefined) return;
    const judged = this.#members.filter((m) => m.status === 'active' && !m.ejected);
    const bySuccess = outlier.successRate === undefined ? [] : successRateOutliers(outlier.successRate, judged);
    const byLatency = outlier.latency === undefined ? [] : latencyOutliers(outlier.latency, judged);
    for (const m of bySuccess) this.#eject(m, 'success-rate', now, true);
    for (const m of byLatency) this.#eject(m, 'latency', now, true);
    for (const m of this.#members) {
      m.intervalSuccesses = 0;
      m.intervalFailures = 0;
      m.latencies?.reset();
    }
  }

  /** Readmits endpoints whose ejection is over and refreshes slow-start weights; `pick` calls it when due. */
  tick(now: number): void {
    if (now >= this.#readmitDueMs) {
      let next = Infinity;
      for (const m of this.#members) {
        if (!m.ejected) continue;
        if (m.ejectedUntilMs <= now) this.#readmit(m, now);
        else if (m.ejectedUntilMs < next) next = m.ejectedUntilMs;
      }
      this.#readmitDueMs = next;
      this.#updateDue();
    }
    if (this.#dirty) this.#rebuild(now);
    else if (now >= this.#weightsDueMs) this.#refreshWeights(now);
  }

  /** When the next readmission is due, ms (Infinity when none). */
  get nextReadmissionMs(): number {
    return this.#readmitDueMs;
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

  #eject(member: Member<T>, reason: EjectionReason, now: number, reportRefusal: boolean): void {
    const outlier = this.#config.outlier!;
    if (member.ejected || member.status !== 'active') return;
    let active = 0;
    let ejected = 0;
    for (const m of this.#members) {
      if (m.status !== 'active') continue;
      active++;
      if (m.ejected) ejected++;
    }
    const maxEjected = Math.max(1, Math.floor((active * outlier.maxEjectionPercent) / 100));
    if (ejected >= maxEjected) {
      if (reportRefusal) {
        this.events.emit({ type: 'ejection-refused', atMs: now, endpoint: member, reason, ejectedCount: ejected, maxEjected });
      }
      return;
    }
    const durationMs = nextEjectionMs(outlier, member, now, this.#ejectionRandom);
    member.ejected = true;
    member.ejectedUntilMs = now + durationMs;
    member.consecutiveFailures = 0;
    if (member.ejectedUntilMs < this.#readmitDueMs) {
      this.#readmitDueMs = member.ejectedUntilMs;
      this.#updateDue();
      this.#config.wake(member.ejectedUntilMs);
    }
    this.events.emit({
      type: 'ejection',
      atMs: now,
      endpoint: member,
      reason,
      durationMs,
      untilMs: member.ejectedUntilMs,
      ejections: member.ejections,
    });
    this.#changed(now);
  }

  #readmit(member: Member<T>, now: number): void {
    member.ejected = false;
    member.readmittedAtMs = now;
    member.consecutiveFailures = 0;
    this.#startRamp(member, now);
    this.events.emit({ type: 'readmission', atMs: now, endpoint: member });
    this.#changed(now);
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
    const panic = this.#updatePanic(now);
    const view = this.#view;
    const list = view.members;
    for (const m of list) m.slot = -1;
    let n = 0;
    for (const m of this.#members) {
      if (m.status === 'active' && (panic || (m.healthy && !m.ejected))) list[n++] = m;
    }
    list.length = n;
    view.size = n;
    view.listVersion++;
    if (view.weights.length < n) view.weights = new Float64Array(Math.max(n, view.weights.length * 2));
    // Exactly n long (placement code checks one load per candidate); allocated only on list changes.
    view.inflight = new Float64Array(n);
    let inflight = 0;
    for (let i = 0; i < n; i++) {
      const m = list[i]!;
      m.slot = i;
      view.inflight[i] = m.outstanding;
      inflight += m.outstanding;
    }
    view.totalInflight = inflight;
    this.#dirty = false;
    this.#refreshWeights(now);
  }

  #refreshWeights(now: number): void {
    const view = this.#view;
    const slow = this.#config.slowStart;
    let ramping = false;
    for (let i = 0; i < view.size; i++) {
      const m = view.members[i]!;
      let factor = 1;
      if (slow !== undefined && now - m.rampStartMs < slow.windowMs) {
        factor = slowStartFactor(slow, now - m.rampStartMs);
        ramping = true;
      }
      view.weights[i] = m.weight * factor;
    }
    view.weightVersion++;
    this.#weightsDueMs = ramping ? now + slow!.stepMs : Infinity;
    this.#updateDue();
  }

  #updateDue(): void {
    this.#dueMs = Math.min(this.#readmitDueMs, this.#weightsDueMs);
  }

  #emitMembership(member: Member<T>, change: 'added' | 'updated' | 'draining' | 'removed', now: number): void {
    this.events.emit({ type: 'membership', atMs: now, endpoint: member, change });
  }
}
