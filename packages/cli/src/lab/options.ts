/**
 * `headroom lab` settings, their defaults and their validation. Defaults give a tour of about
 * two minutes on a 2-core laptop: twelve phases × (1 s warm-up + 8 s measured), plus about a
 * second for each of the cache scenario's two warm-up replays (116 s measured, `npm start`).
 */
import { parseDuration } from 'headroom';
import { invalidLabOption, unknownScenario } from './errors.js';
import { LAG_THRESHOLD_MS } from './service/stall-recorder.js';

/** Validated lab settings. */
export interface LabOptions {
  /** Scenario names to run, in tour order; every scenario when omitted on the command line. */
  readonly scenarios: readonly string[];
  /** Measured time of each phase, ms (default 8 s). */
  readonly durationMs: number;
  /** Unmeasured warm-up before each phase, ms (default 1 s). */
  readonly warmupMs: number;
  /** Timeline resolution, ms (default 500). */
  readonly intervalMs: number;
  /** Replica processes (default 3). */
  readonly replicas: number;
  /** Products seeded into the store (default 100,000). */
  readonly products: number;
  /** Zipf exponent of key popularity (default 0.99). */
  readonly zipfExponent: number;
  /** Seed of every random choice (default 42, or HEADROOM_SEED). */
  readonly seed: number;
  /** `null` for an embedded SQLite file in a temporary folder, or a `postgres://` URL. */
  readonly storeUrl: string | null;
  /** Redis URL for the cache's shared tier, or null. */
  readonly redisUrl: string | null;
  /** First replica port (replica i listens on basePort + i), or null for OS-assigned ports. */
  readonly basePort: number | null;
  /** Where to write the HTML report, or null for none. */
  readonly reportPath: string | null;
  /** Where `--trace-picks` writes every balancer pick and round trip as NDJSON (lab/client/pick-trace.ts); null or absent: no trace. */
  readonly tracePicksPath?: string | null;
  /** With `tracePicksPath`: the shortest loop lag a replica records as a stall, ms (`--stall-threshold`; default 3). */
  readonly stallThresholdMs?: number;
}

/** Raw option values as the CLI parses them (strings), all optional. */
export interface RawLabOptions {
  readonly scenario?: string | undefined;
  readonly duration?: string | undefined;
  readonly warmup?: string | undefined;
  readonly interval?: string | undefined;
  readonly replicas?: string | undefined;
  readonly products?: string | undefined;
  readonly zipf?: string | undefined;
  readonly seed?: string | undefined;
  readonly store?: string | undefined;
  readonly redis?: string | undefined;
  readonly basePort?: string | undefined;
  readonly report?: string | false | undefined;
  readonly tracePicks?: string | undefined;
  readonly stallThreshold?: string | undefined;
}

/** Default values (before validation), as shown by `--help`. */
export const LAB_DEFAULTS = {
  duration: '8s',
  warmup: '1s',
  interval: '500ms',
  replicas: 3,
  products: 100_000,
  zipf: 0.99,
  seed: 42,
  report: 'lab-report.html',
} as const;

/** How the results are printed, which decides whether the HTML report is written by default. */
export interface LabOutput {
  /** `--json`: JSON on stdout; the HTML report is then written only when `--report` names a file. */
  readonly json: boolean;
}

/**
 * Validates raw CLI values.
 * @param known - every scenario name, in tour order
 * @param output - with `json`, an omitted `--report` means no HTML report (default: tables, and the report)
 * @param optIn - scenarios accepted by name but left out of the default tour (e.g. chaos)
 * @throws HR_LAB_UNKNOWN_SCENARIO, HR_LAB_INVALID_OPTION
 */
export function parseLabOptions(
  raw: RawLabOptions,
  known: readonly string[],
  envSeed: number | null,
  output: LabOutput = { json: false },
  optIn: readonly string[] = [],
): LabOptions {
  // Opt-in scenarios (e.g. chaos) run only when named, never in the default tour.
  const accepted = [...known, ...optIn];
  const scenarios =
    raw.scenario === undefined || raw.scenario === 'all'
      ? [...known]
      : raw.scenario
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  for (const name of scenarios) if (!accepted.includes(name)) throw unknownScenario(name, accepted);
  if (scenarios.length === 0) throw unknownScenario(raw.scenario ?? '', accepted);
  const repeated = scenarios.find((name, i) => scenarios.indexOf(name) !== i);
  if (repeated !== undefined) throw invalidLabOption('--scenario', raw.scenario, `name each scenario once (${repeated} is repeated)`);

  const duration = raw.duration ?? LAB_DEFAULTS.duration;
  const durationMs = labDuration(duration, '--duration', 200, '8s or 1500ms');
  const warmupMs = labDuration(raw.warmup ?? LAB_DEFAULTS.warmup, '--warmup', 0, '1s, or 0ms for none');
  const interval = raw.interval ?? LAB_DEFAULTS.interval;
  const intervalMs = labDuration(interval, '--interval', 50, '500ms');
  // A timeline needs at least one point inside the measured window.
  if (intervalMs > durationMs)
    throw invalidLabOption('--interval', interval, `use at most --duration (${duration}), e.g. ${LAB_DEFAULTS.interval}`);
  const replicas = integer(raw.replicas, '--replicas', LAB_DEFAULTS.replicas, 2, 16);
  const products = integer(raw.products, '--products', LAB_DEFAULTS.products, 1_000, 10_000_000);
  const zipfExponent = raw.zipf === undefined ? LAB_DEFAULTS.zipf : Number(raw.zipf);
  if (!(zipfExponent >= 0 && zipfExponent <= 3))
    throw invalidLabOption('--zipf', raw.zipf, 'use an exponent from 0 (uniform) to 3; 0.99 is typical');
  const seed = raw.seed === undefined ? (envSeed ?? LAB_DEFAULTS.seed) : Number(raw.seed);
  if (!Number.isSafeInteger(seed)) throw invalidLabOption('--seed', raw.seed, 'use an integer');
  const basePort = raw.basePort === undefined ? null : integer(raw.basePort, '--base-port', 0, 1, 65_535 - replicas);

  let storeUrl: string | null = null;
  if (raw.store !== undefined && raw.store !== 'sqlite') {
    if (!/^postgres(ql)?:\/\//.test(raw.store)) {
      throw invalidLabOption('--store', raw.store, 'use "sqlite" (the default) or a PostgreSQL URL such as postgres://127.0.0.1:5432/test');
    }
    storeUrl = raw.store;
  }
  let redisUrl: string | null = null;
  if (raw.redis !== undefined) {
    if (!/^rediss?:\/\//.test(raw.redis)) throw invalidLabOption('--redis', raw.redis, 'use a Redis URL such as redis://127.0.0.1:6379');
    redisUrl = raw.redis;
  }
  // JSON on stdout is for tools: a report file nobody asked for would appear silently in the cwd.
  const reportPath = raw.report === false ? null : (raw.report ?? (output.json ? null : LAB_DEFAULTS.report));
  if (raw.tracePicks !== undefined && raw.tracePicks.trim() === '')
    throw invalidLabOption('--trace-picks', raw.tracePicks, 'name the NDJSON file to write, e.g. /tmp/picks.ndjson');
  const tracePicksPath = raw.tracePicks ?? null;
  if (raw.stallThreshold !== undefined && tracePicksPath === null)
    throw invalidLabOption(
      '--stall-threshold',
      raw.stallThreshold,
      'it sets what the traced replicas record: pass --trace-picks <file> too',
    );
  const stallThresholdMs =
    raw.stallThreshold === undefined ? LAG_THRESHOLD_MS : labDuration(raw.stallThreshold, '--stall-threshold', 1, '1ms or 3ms');
  return {
    scenarios,
    durationMs,
    warmupMs,
    intervalMs,
    replicas,
    products,
    zipfExponent,
    seed,
    storeUrl,
    redisUrl,
    basePort,
    reportPath,
    tracePicksPath,
    stallThresholdMs,
  };
}

/**
 * A duration option: a number with a unit (ms, s, m, h, d), at least `minMs`. The message says what
 * is accepted — a bare "0", say, is refused for its missing unit, not for being negative.
 */
function labDuration(value: string, option: string, minMs: number, example: string): number {
  const what =
    minMs > 0 ? `use a duration of at least ${minMs} ms with a unit, e.g. ${example}` : `use a duration with a unit, e.g. ${example}`;
  let ms: number;
  try {
    ms = parseDuration(value, option);
  } catch {
    throw invalidLabOption(option, value, what);
  }
  if (ms < minMs) throw invalidLabOption(option, value, what);
  return ms;
}

function integer(value: string | undefined, option: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) throw invalidLabOption(option, value, `use an integer from ${min} to ${max}`);
  return n;
}
