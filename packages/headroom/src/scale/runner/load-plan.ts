/**
 * A load plan: everything a load run needs, as plain data — the URL, the HTTP options and the
 * load's shape (closed loop at a concurrency for a duration, or open loop on an arrival schedule).
 * Being data, a plan crosses a worker thread's message port or a Redis list unchanged, and
 * {@link splitPlan} divides one among workers.
 */
import { parseDuration, type Duration } from '../../core/duration.js';
import type { HttpTargetOptions } from '../adapters/http-target.js';
import { invalidScaleOption } from '../models/errors.js';
import { resolveSchedule, type ArrivalSchedule } from '../schedule.js';

/** The shape of the load: closed loop (as autocannon and wrk) or open loop (as wrk2). */
export type LoadShape =
  | { readonly kind: 'closed'; readonly concurrency: number; readonly duration: Duration }
  | { readonly kind: 'open'; readonly schedule: ArrivalSchedule };

/** What to load and how. */
export interface LoadPlan {
  /** The http(s) URL requested. */
  readonly url: string;
  /** Method, headers, body, connections, pipelining, timeout. Default connections: the concurrency closed loop, 64 open loop. */
  readonly http?: HttpTargetOptions;
  /** Closed or open loop. */
  readonly load: LoadShape;
}

/**
 * Checks a plan before anything starts.
 * @throws HR_SCALE_INVALID_OPTION naming the field (`plan.load.concurrency`…); HR_CORE_INVALID_DURATION
 */
export function validatePlan(plan: LoadPlan): void {
  if (typeof plan.url !== 'string') throw invalidScaleOption('plan.url', plan.url, 'pass an absolute http:// or https:// URL');
  const load = plan.load;
  if (load?.kind === 'closed') {
    if (!(Number.isInteger(load.concurrency) && load.concurrency >= 1))
      throw invalidScaleOption('plan.load.concurrency', load.concurrency, 'pass a whole number of virtual users, at least 1');
    if (!(parseDuration(load.duration, 'plan.load.duration') > 0))
      throw invalidScaleOption('plan.load.duration', load.duration, "pass a positive duration such as '10s'");
  } else if (load?.kind === 'open') resolveSchedule(load.schedule, 'plan.load.schedule');
  else throw invalidScaleOption('plan.load.kind', (load as { kind?: unknown } | undefined)?.kind, "use 'closed' or 'open'");
}

/**
 * Divides a plan among `parts` workers: a closed loop by whole users (fewer parts when there are
 * fewer users than workers), an open loop by dividing every rate of its schedule, share i with
 * the phase (phase + i)/parts — so constant-rate shares interleave into exactly the whole
 * schedule's send times instead of sending `parts` requests at once (Poisson shares are
 * independent draws already).
 */
export function splitPlan(plan: LoadPlan, parts: number): LoadPlan[] {
  if (!(Number.isInteger(parts) && parts >= 1)) throw invalidScaleOption('workers', parts, 'pass a whole number, at least 1');
  const load = plan.load;
  const shares: LoadShape[] = [];
  for (let i = 0; i < parts; i++) {
    if (load.kind === 'open') {
      const steps = load.schedule.steps.map((s) => ({
        ...s,
        ratePerSec: s.ratePerSec / parts,
        ...(s.toRatePerSec === undefined ? {} : { toRatePerSec: s.toRatePerSec / parts }),
      }));
      const phase = ((load.schedule.phase ?? 0) + i) / parts;
      shares.push({ kind: 'open', schedule: { ...load.schedule, steps, ...(phase === 0 ? {} : { phase }) } });
    } else {
      const concurrency = Math.floor(load.concurrency / parts) + (i < load.concurrency % parts ? 1 : 0);
      if (concurrency > 0) shares.push({ ...load, concurrency });
    }
  }
  return shares.map((share) => ({ ...plan, load: share }));
}
