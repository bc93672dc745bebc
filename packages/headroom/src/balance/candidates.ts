/**
 * The candidate list handed to pickers: dense arrays of the endpoints that may take a request
 * now, their effective weights (slow start applied) and in-flight counts. Rebuilt in O(n) only
 * when membership, health, ejection or panic changes; weights are refreshed every slow-start
 * step while some endpoint ramps. Nothing here allocates per pick.
 */
import type { Member } from './endpoint.js';
import type { Candidates } from './picker.js';
import { slowStartFactor, type SlowStartConfig } from './slow-start.js';

/** Dense candidate arrays, read by pickers through the {@link Candidates} seam. */
export class CandidateView<T> implements Candidates {
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

  /**
   * Rebuilds the list from `all`: active endpoints that are healthy and not ejected, or every
   * active endpoint in `panic`. Call {@link refreshWeights} after it.
   */
  rebuild(all: readonly Member<T>[], panic: boolean): void {
    const list = this.members;
    for (const m of list) m.slot = -1;
    let n = 0;
    for (const m of all) {
      if (m.status === 'active' && (panic || (m.healthy && !m.ejected))) list[n++] = m;
    }
    list.length = n;
    this.size = n;
    this.listVersion++;
    if (this.weights.length < n) this.weights = new Float64Array(Math.max(n, this.weights.length * 2));
    // Exactly n long (placement code checks one load per candidate); allocated only on list changes.
    this.inflight = new Float64Array(n);
    let inflight = 0;
    for (let i = 0; i < n; i++) {
      const m = list[i]!;
      m.slot = i;
      this.inflight[i] = m.outstanding;
      inflight += m.outstanding;
    }
    this.totalInflight = inflight;
  }

  /**
   * Recomputes effective weights at `now`.
   * @returns when they are next due, ms: the next slow-start step while some candidate ramps, else Infinity
   */
  refreshWeights(slow: SlowStartConfig | undefined, now: number): number {
    let ramping = false;
    for (let i = 0; i < this.size; i++) {
      const m = this.members[i]!;
      let factor = 1;
      if (slow !== undefined && now - m.rampStartMs < slow.windowMs) {
        factor = slowStartFactor(slow, now - m.rampStartMs);
        ramping = true;
      }
      this.weights[i] = m.weight * factor;
    }
    this.weightVersion++;
    return ramping ? now + slow!.stepMs : Infinity;
  }

  /** A request to `member` started (+1) or ended (−1): keeps the in-flight arrays in step. */
  adjustInflight(member: Member<T>, delta: 1 | -1): void {
    if (member.slot < 0) return;
    this.inflight[member.slot]! += delta;
    this.totalInflight += delta;
  }
}
