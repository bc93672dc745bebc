/**
 * Outlier ejection bookkeeping of the balancer's core: what each finished request teaches the
 * consecutive-errors rule, the interval rules (success rate, latency), ejections capped at
 * `maxEjectionPercent` with durations from the core backoff, and readmission when an ejection
 * is over. Synchronous, driven by `now`; the rules themselves are in health/outlier.ts.
 */
import type { Emitter } from '../core/events.js';
import type { Outcome } from '../core/outcome.js';
import type { Random } from '../core/random.js';
import type { Member } from './endpoint.js';
import type { BalanceEvent, EjectionReason } from './events.js';
import { latencyOutliers, nextEjectionMs, successRateOutliers, type OutlierConfig } from './health/outlier.js';

/** What ejection needs from the core that owns the endpoints. */
export interface EjectionHost<T> {
  /** Endpoints in the balancer (active and draining). */
  readonly members: readonly Member<T>[];
  readonly events: Emitter<BalanceEvent<T>>;
  /** Eligibility changed at `now`: the candidate list must be rebuilt. */
  changed(now: number): void;
  /** A readmitted endpoint starts a slow-start ramp. */
  startRamp(member: Member<T>, now: number): void;
  /** The earliest readmission moved earlier, to `atMs`. */
  readmissionDue(atMs: number): void;
}

/** Ejects and readmits endpoints for one balancer. */
export class Ejections<T> {
  readonly #config: OutlierConfig;
  readonly #host: EjectionHost<T>;
  readonly #random: Random;
  #readmitDueMs = Infinity;

  /** @param random - draws ejection jitter (none with the default `jitter: 'none'`) */
  constructor(config: OutlierConfig, host: EjectionHost<T>, random: Random) {
    this.#config = config;
    this.#host = host;
    this.#random = random;
  }

  /** When the next readmission is due, ms (Infinity when none). */
  get readmitDueMs(): number {
    return this.#readmitDueMs;
  }

  /** A request to active `member` took `latencyMs` and ended at `now` with `outcome`. */
  record(member: Member<T>, now: number, latencyMs: number, outcome: Outcome): void {
    if (outcome === 'ignored') return;
    member.latencies?.record(latencyMs);
    if (outcome === 'success') {
      member.intervalSuccesses++;
      member.consecutiveFailures = 0;
      return;
    }
    member.intervalFailures++;
    member.consecutiveFailures++;
    const limit = this.#config.consecutiveErrors;
    if (limit > 0 && member.consecutiveFailures >= limit) {
      this.#eject(member, 'consecutive-errors', now, member.consecutiveFailures === limit);
    }
  }

  /** Runs the interval rules (success rate, latency) and starts a new interval. */
  evaluate(now: number): void {
    const config = this.#config;
    const members = this.#host.members;
    const judged = members.filter((m) => m.status === 'active' && !m.ejected);
    const bySuccess = config.successRate === undefined ? [] : successRateOutliers(config.successRate, judged);
    const byLatency = config.latency === undefined ? [] : latencyOutliers(config.latency, judged);
    for (const m of bySuccess) this.#eject(m, 'success-rate', now, true);
    for (const m of byLatency) this.#eject(m, 'latency', now, true);
    for (const m of members) {
      m.intervalSuccesses = 0;
      m.intervalFailures = 0;
      m.latencies?.reset();
    }
  }

  /** Readmits every endpoint whose ejection is over at `now`; call when `now >= readmitDueMs`. */
  readmitDue(now: number): void {
    let next = Infinity;
    for (const m of this.#host.members) {
      if (!m.ejected) continue;
      if (m.ejectedUntilMs <= now) this.#readmit(m, now);
      else if (m.ejectedUntilMs < next) next = m.ejectedUntilMs;
    }
    this.#readmitDueMs = next;
  }

  #eject(member: Member<T>, reason: EjectionReason, now: number, reportRefusal: boolean): void {
    if (member.ejected || member.status !== 'active') return;
    const host = this.#host;
    let active = 0;
    let ejected = 0;
    for (const m of host.members) {
      if (m.status !== 'active') continue;
      active++;
      if (m.ejected) ejected++;
    }
    const maxEjected = Math.max(1, Math.floor((active * this.#config.maxEjectionPercent) / 100));
    if (ejected >= maxEjected) {
      if (reportRefusal) {
        host.events.emit({ type: 'ejection-refused', atMs: now, endpoint: member, reason, ejectedCount: ejected, maxEjected });
      }
      return;
    }
    const durationMs = nextEjectionMs(this.#config, member, now, this.#random);
    member.ejected = true;
    member.ejectedUntilMs = now + durationMs;
    member.consecutiveFailures = 0;
    if (member.ejectedUntilMs < this.#readmitDueMs) {
      this.#readmitDueMs = member.ejectedUntilMs;
      host.readmissionDue(member.ejectedUntilMs);
    }
    host.events.emit({
      type: 'ejection',
      atMs: now,
      endpoint: member,
      reason,
      durationMs,
      untilMs: member.ejectedUntilMs,
      ejections: member.ejections,
    });
    host.changed(now);
  }

  #readmit(member: Member<T>, now: number): void {
    member.ejected = false;
    member.readmittedAtMs = now;
    member.consecutiveFailures = 0;
    this.#host.startRamp(member, now);
    this.#host.events.emit({ type: 'readmission', atMs: now, endpoint: member });
    this.#host.changed(now);
  }
}
