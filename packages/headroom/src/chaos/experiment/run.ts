/**
 * Runs an experiment: the steady-state hypothesis before, the method (with safeguards checked
 * every interval, aborting on the first failure or when `maxDuration` passes), the hypothesis
 * after, and the rollbacks — always, also when the method failed, was aborted or the caller's
 * signal fired (Ctrl-C). Unlike Chaos Toolkit, rollbacks are never skipped. Every step goes to
 * the journal with times from the start on the injected clock. The providers (HTTP, processes,
 * the proxy API, live load) are given by the caller, so this file does no I/O itself.
 */
import { sleep, systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { parseDuration, parseOptionalDuration, type Duration } from '../../core/duration.js';
import { numericFields, withinTolerance } from './tolerance.js';
import type { Activity, ActivityRun, Experiment, ExperimentStatus, FaultWindow, Journal, ProbeSample, Provider } from './types.js';

/** A live probe started with the run (the `load` provider): read its current value at any time. */
export interface LiveProbe {
  read(): unknown;
  stop(): Promise<void>;
}

/** What carries out activities (see adapters/experiment-providers.ts for the real one). */
export interface ProviderRunner {
  /** Runs one provider; resolves to its output, rejects when it fails. Must honour `signal`. */
  call(provider: Provider, signal: AbortSignal): Promise<unknown>;
  /** Starts a live probe. */
  live(provider: Provider): LiveProbe;
}

/** A progress event. */
export type RunEvent =
  | { readonly type: 'phase'; readonly phase: ActivityRun['phase']; readonly atMs: number }
  | { readonly type: 'activity'; readonly run: ActivityRun }
  | { readonly type: 'safeguard'; readonly sample: ProbeSample }
  | { readonly type: 'stopping'; readonly status: ExperimentStatus; readonly reason: string; readonly atMs: number };

/** Options of {@link runExperiment}. */
export interface RunExperimentOptions {
  readonly providers: ProviderRunner;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Aborting it interrupts the method (status `interrupted`); rollbacks still run. */
  readonly signal?: AbortSignal;
  /** Progress. */
  readonly onEvent?: (event: RunEvent) => void;
  /** Longest any single activity may run (default 60 s; rollbacks get the same). */
  readonly activityTimeout?: Duration;
}

/**
 * Runs `experiment` (already validated) and resolves to its journal; never rejects for a failing
 * activity (that is recorded).
 */
export async function runExperiment(experiment: Experiment, options: RunExperimentOptions): Promise<Journal> {
  const clock = options.clock ?? systemClock;
  const t0 = clock.now();
  const rel = (): number => clock.now() - t0;
  const startedAt = new Date(clock.wallNow()).toISOString();
  const emit = options.onEvent ?? (() => undefined);
  const runs: ActivityRun[] = [];
  const samples: ProbeSample[] = [];
  const windows: FaultWindow[] = [];
  const open = new Map<string, number>();
  const activityTimeout = parseOptionalDuration(options.activityTimeout, 'activityTimeout', 60_000);
  let status: ExperimentStatus = 'completed';
  let reason: string | undefined;
  const steadyState: { before?: boolean; after?: boolean } = {};

  const method = new AbortController();
  const stop = (s: ExperimentStatus, why: string): void => {
    if (method.signal.aborted) return;
    status = s;
    reason = why;
    emit({ type: 'stopping', status: s, reason: why, atMs: rel() });
    method.abort(new Error(why));
  };
  const onInterrupt = (): void => stop('interrupted', 'interrupted (Ctrl-C): rolling back');
  if (options.signal?.aborted) onInterrupt();
  options.signal?.addEventListener('abort', onInterrupt, { once: true });

  const live = new Map<Activity, LiveProbe>();
  for (const probe of experiment.safeguards?.probes ?? []) {
    if (probe.provider.type === 'load') live.set(probe, options.providers.live(probe.provider));
  }

  const track = (a: Activity, endMs: number): void => {
    const p = a.provider;
    if (p.type !== 'toxiproxy') return;
    const toxicName = (p.name ??
      (p.toxic?.['name'] as string | undefined) ??
      `${String(p.toxic?.['type'])}_${String(p.toxic?.['stream'] ?? 'downstream')}`) as string;
    const close = (key: string): void => {
      const start = open.get(key);
      if (start === undefined) return;
      open.delete(key);
      windows.push({ name: key, startMs: start, endMs });
    };
    if (p.op === 'add') open.set(`${p.proxy}/${toxicName}`, endMs);
    else if (p.op === 'remove') close(`${p.proxy}/${toxicName}`);
    else if (p.op === 'reset') for (const key of [...open.keys()]) close(key);
    else if (p.op === 'delete') for (const key of [...open.keys()]) if (key.startsWith(`${p.proxy}/`)) close(key);
  };

  /** Runs one activity with its pauses; resolves to its record. */
  const execute = async (a: Activity, phase: ActivityRun['phase'], signal: AbortSignal): Promise<ActivityRun> => {
    const startMs = rel();
    let record: ActivityRun;
    try {
      if (a.pauses?.before !== undefined) await sleep(clock, parseDuration(a.pauses.before, 'pauses.before'), signal);
      const probe = live.get(a);
      const output = probe !== undefined ? probe.read() : await callWithTimeout(a.provider, signal);
      const tolerated = a.tolerance === undefined ? undefined : withinTolerance(output, a.tolerance);
      record = {
        name: a.name,
        type: a.type,
        phase,
        status: 'succeeded',
        startMs,
        endMs: rel(),
        output,
        ...(tolerated === undefined ? {} : { tolerated }),
      };
      track(a, record.endMs);
    } catch (error) {
      record = {
        name: a.name,
        type: a.type,
        phase,
        status: 'failed',
        startMs,
        endMs: rel(),
        error: error instanceof Error ? error.message : String(error),
      };
    }
    runs.push(record);
    emit({ type: 'activity', run: record });
    // The pause after ends early when the run stops (a safeguard, the cap, Ctrl-C).
    if (record.status === 'succeeded' && a.pauses?.after !== undefined) {
      await sleep(clock, parseDuration(a.pauses.after, 'pauses.after'), signal).catch(() => undefined);
    }
    return record;
  };

  const callWithTimeout = async (provider: Provider, signal: AbortSignal): Promise<unknown> => {
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = clock.setTimer(activityTimeout, () => ac.abort(new Error(`timed out after ${activityTimeout} ms`)));
    try {
      if (signal.aborted) throw signal.reason;
      return await options.providers.call(provider, ac.signal);
    } finally {
      timer.cancel();
      signal.removeEventListener('abort', onAbort);
    }
  };

  const hypothesis = async (phase: 'before' | 'after'): Promise<boolean> => {
    const probes = experiment['steady-state-hypothesis']?.probes ?? [];
    emit({ type: 'phase', phase, atMs: rel() });
    let ok = true;
    for (const p of probes) {
      const r = await execute(p, phase, method.signal);
      if (r.status !== 'succeeded' || r.tolerated === false) ok = false;
    }
    return ok;
  };

  // Safeguards: checked every interval while the method runs.
  const guards = experiment.safeguards;
  const intervalMs = guards?.interval === undefined ? 1_000 : Math.max(1, parseDuration(guards.interval, 'safeguards.interval'));
  const maxMs = guards?.maxDuration === undefined ? Infinity : parseDuration(guards.maxDuration, 'safeguards.maxDuration');
  let guardTimer: TimerHandle | undefined;
  let guarding = false;
  const check = async (): Promise<void> => {
    if (rel() >= maxMs) {
      stop('aborted', `safeguard: the duration cap of ${maxMs} ms passed`);
      return;
    }
    for (const p of guards?.probes ?? []) {
      const probe = live.get(p);
      let value: unknown;
      try {
        value = probe !== undefined ? probe.read() : await callWithTimeout(p.provider, method.signal);
      } catch (error) {
        value = { error: error instanceof Error ? error.message : String(error) };
      }
      const tolerated = p.tolerance !== undefined && withinTolerance(value, p.tolerance);
      const sample: ProbeSample = { probe: p.name, atMs: rel(), values: numericFields(value), tolerated };
      samples.push(sample);
      emit({ type: 'safeguard', sample });
      if (!tolerated && !method.signal.aborted) stop('aborted', `safeguard ${p.name} failed: ${JSON.stringify(value)}`);
    }
  };
  const loop = (): void => {
    guardTimer = clock.setTimer(intervalMs, () => {
      if (!guarding) return;
      void check().then(() => {
        if (guarding && !method.signal.aborted) loop();
      });
    });
  };

  try {
    if (!method.signal.aborted) {
      steadyState.before = await hypothesis('before');
      if (!steadyState.before && !method.signal.aborted) {
        status = 'failed';
        reason = 'the steady-state hypothesis did not hold before the method; nothing was injected';
      }
    }
    if (status === 'completed' && !method.signal.aborted) {
      emit({ type: 'phase', phase: 'method', atMs: rel() });
      guarding = true;
      if (guards !== undefined) loop();
      const background: Promise<ActivityRun>[] = [];
      for (const a of experiment.method) {
        if (method.signal.aborted) {
          runs.push({ name: a.name, type: a.type, phase: 'method', status: 'skipped', startMs: rel(), endMs: rel() });
          continue;
        }
        const running = execute(a, 'method', method.signal);
        if (a.background === true) {
          background.push(running);
          continue;
        }
        const r = await running;
        if (r.status === 'failed' && a.type === 'action' && !method.signal.aborted) stop('failed', `action ${a.name} failed: ${r.error}`);
      }
      await Promise.all(background);
      guarding = false;
      guardTimer?.cancel();
      if (!method.signal.aborted) {
        steadyState.after = await hypothesis('after');
        if (!steadyState.after) {
          status = 'deviated';
          reason = 'the steady-state hypothesis did not hold after the method';
        }
      }
    }
  } finally {
    guarding = false;
    guardTimer?.cancel();
    options.signal?.removeEventListener('abort', onInterrupt);
    emit({ type: 'phase', phase: 'rollback', atMs: rel() });
    const never = new AbortController().signal;
    for (const a of experiment.rollbacks ?? []) await execute(a, 'rollback', never);
    const end = rel();
    for (const [name, start] of open) windows.push({ name, startMs: start, endMs: end });
    await Promise.all([...live.values()].map((p) => p.stop()));
  }
  return {
    title: experiment.title,
    status,
    ...(reason === undefined ? {} : { reason }),
    startedAt,
    durationMs: rel(),
    steadyState,
    runs,
    samples,
    faultWindows: windows,
  };
}
