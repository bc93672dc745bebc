/**
 * The experiment file, in Chaos Toolkit's shape where it fits (title, description,
 * steady-state-hypothesis with probes and tolerances, method of actions and probes with pauses,
 * rollbacks), plus Headroom's `safeguards`: probes checked every `interval` while the method runs,
 * which abort it when one fails or `maxDuration` passes.
 */
import type { Duration } from '../../core/duration.js';

/**
 * What an activity calls:
 * - `http`: `{ url, method?, headers?, body?, timeout? }` → `{ status, body, latencyMs }`
 * - `process`: `{ path, arguments?, timeout? }` → `{ status (exit code), stdout, stderr }`
 * - `toxiproxy`: `{ api?, proxy, op, toxic?, name?, upstream?, listen? }` drives a Toxiproxy-compatible API
 *   (op: `create`, `delete`, `add`, `update`, `remove`, `reset`)
 * - `load`: `{ url, rate, window?, timeout? }` a live probe: requests at `rate` per second from the start
 *   of the run; its value is `{ errorRate, p50Ms, p99Ms, count }` over the last `window` (default 5s)
 */
export type Provider =
  | {
      readonly type: 'http';
      readonly url: string;
      readonly method?: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
      readonly timeout?: Duration;
    }
  | { readonly type: 'process'; readonly path: string; readonly arguments?: readonly string[]; readonly timeout?: Duration }
  | {
      readonly type: 'toxiproxy';
      readonly api?: string;
      readonly proxy: string;
      readonly op: 'create' | 'delete' | 'add' | 'update' | 'remove' | 'reset';
      readonly toxic?: Readonly<Record<string, unknown>>;
      readonly name?: string;
      readonly upstream?: string;
      readonly listen?: string;
    }
  | { readonly type: 'load'; readonly url: string; readonly rate: number; readonly window?: Duration; readonly timeout?: Duration };

/**
 * A tolerance (Chaos Toolkit's forms): a literal (equal to the value, or to its `status` for http and
 * process probes), an array of accepted literals, `{ type: 'range', range: [lo, hi], target? }`
 * or `{ type: 'regex', pattern, target? }`; `target` names a field of the value (`status`,
 * `latencyMs`, `body`, `stdout`, `errorRate`, `p99Ms`, ...).
 */
export type Tolerance =
  | string
  | number
  | boolean
  | readonly (string | number | boolean)[]
  | { readonly type: 'range'; readonly range: readonly [number, number]; readonly target?: string }
  | { readonly type: 'regex'; readonly pattern: string; readonly target?: string };

/** One step: an action (changes the system) or a probe (reads it). */
export interface Activity {
  readonly type: 'action' | 'probe';
  readonly name: string;
  readonly provider: Provider;
  /** For probes in a hypothesis or safeguards: what counts as healthy. */
  readonly tolerance?: Tolerance;
  /** Waits around the activity. */
  readonly pauses?: { readonly before?: Duration; readonly after?: Duration };
  /** Run it in the background and go on (Chaos Toolkit's `background`). */
  readonly background?: boolean;
}

/** An experiment as written in the file (after validation). */
export interface Experiment {
  readonly title: string;
  readonly description?: string;
  readonly 'steady-state-hypothesis'?: { readonly title: string; readonly probes: readonly Activity[] };
  readonly safeguards?: { readonly interval?: Duration; readonly maxDuration?: Duration; readonly probes?: readonly Activity[] };
  readonly method: readonly Activity[];
  readonly rollbacks?: readonly Activity[];
}

/** How an experiment ended. */
export type ExperimentStatus = 'completed' | 'deviated' | 'failed' | 'aborted' | 'interrupted';

/** One activity's record in the journal. */
export interface ActivityRun {
  readonly name: string;
  readonly type: 'action' | 'probe';
  readonly phase: 'before' | 'method' | 'safeguard' | 'after' | 'rollback';
  readonly status: 'succeeded' | 'failed' | 'skipped';
  readonly startMs: number;
  readonly endMs: number;
  readonly output?: unknown;
  readonly error?: string;
  /** For probes with a tolerance: whether the value was within it. */
  readonly tolerated?: boolean;
}

/** A fault window: from the action that injected a fault to the one that removed it. */
export interface FaultWindow {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** A numeric probe reading, for the report's timeline. */
export interface ProbeSample {
  readonly probe: string;
  readonly atMs: number;
  readonly values: Readonly<Record<string, number>>;
  readonly tolerated: boolean;
}

/** The journal: every step with times in ms from the start (`startedAt` is the wall-clock ISO time). */
export interface Journal {
  readonly title: string;
  readonly status: ExperimentStatus;
  /** Why it stopped early or deviated, in one sentence. */
  readonly reason?: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly steadyState: { readonly before?: boolean; readonly after?: boolean };
  readonly runs: readonly ActivityRun[];
  readonly samples: readonly ProbeSample[];
  readonly faultWindows: readonly FaultWindow[];
}
