/**
 * Deadline propagation over HTTP. The wire carries the *remaining* budget, never an absolute
 * time, so no clock synchronisation is needed and each hop's elapsed time is subtracted:
 *
 * - `headroom-timeout-ms: <integer ms>` (like Envoy's `x-envoy-expected-rq-timeout-ms`);
 * - `grpc-timeout: <1–8 digits><unit>` with unit H, M, S, m, u, n (gRPC over HTTP/2 spec,
 *   "Timeout"): written with the finest unit that fits 8 digits, rounded *down* so a hop never
 *   grants more time than it has.
 *
 * The reader takes the smaller of the two when both are present, caps it at `maxTimeout` (never let a
 * caller reserve your server for an hour) and falls back to `defaultTimeout`.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { HeadroomError, DeadlineExceededError } from '../core/errors.js';
import { Deadline } from './deadline.js';
import type { Duration } from '../core/duration.js';
import { durationOption, numberOption } from './options.js';

/** Default header carrying the remaining budget in integer milliseconds. */
export const TIMEOUT_HEADER = 'headroom-timeout-ms';
/** The gRPC timeout header. */
export const GRPC_TIMEOUT_HEADER = 'grpc-timeout';

/** Header bags we can read: Node's `IncomingHttpHeaders`, a plain record, or a fetch `Headers`. */
export type HeaderSource = Readonly<Record<string, string | readonly string[] | undefined>> | { get(name: string): string | null };

/** Options of {@link readDeadline}. */
export interface ReadDeadlineOptions {
  /** Clock the deadline runs on; default `systemClock`. */
  readonly clock?: Clock;
  /** Caller cancellation folded into the deadline (e.g. aborted when the client disconnects). */
  readonly signal?: AbortSignal | undefined;
  /** Header with remaining ms; default `headroom-timeout-ms`. */
  readonly header?: string;
  /** Also read `grpc-timeout`; default true. */
  readonly grpc?: boolean;
  /** Budget when no header is present, ms; default none (returns undefined). */
  readonly defaultTimeout?: Duration;
  /** Largest budget accepted from a caller, ms; default 60,000. */
  readonly maxTimeout?: Duration;
}

/** Options of {@link deadlineHeaders}. */
export interface WriteDeadlineOptions {
  /** Header with remaining ms; default `headroom-timeout-ms`. */
  readonly header?: string;
  /** Also write `grpc-timeout`; default false. */
  readonly grpc?: boolean;
  /** Time kept back for the response's way back and our own work after it, ms; default 0. */
  readonly reserve?: Duration;
  /** Headers to add to (mutated and returned); default a new object. */
  readonly into?: Record<string, string>;
}

/**
 * Reads the caller's deadline from request headers.
 * @returns a deadline (dispose it when the request ends), or undefined when no header and no `defaultTimeout`
 * @throws HR_LATENCY_INVALID_DEADLINE_HEADER when a deadline header is malformed (answer 400)
 * @example
 * ```ts
 * http.createServer((req, res) => {
 *   const deadline = readDeadline(req.headers, { defaultTimeout: '1s' })!;
 *   // … pass deadline to every outbound call, then deadline.dispose()
 * });
 * ```
 */
export function readDeadline(headers: HeaderSource, options: ReadDeadlineOptions = {}): Deadline | undefined {
  const maxMs = durationOption('maxTimeout', options.maxTimeout, 60_000);
  const name = options.header ?? TIMEOUT_HEADER;
  let budgetMs: number | undefined;
  const plain = headerValue(headers, name);
  if (plain !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(plain)) throw invalidHeader(name, plain, 'a non-negative number of milliseconds, e.g. "250"');
    budgetMs = Number(plain);
  }
  if (options.grpc !== false) {
    const grpc = headerValue(headers, GRPC_TIMEOUT_HEADER);
    if (grpc !== undefined) {
      const ms = parseGrpcTimeout(grpc);
      budgetMs = budgetMs === undefined ? ms : Math.min(budgetMs, ms);
    }
  }
  if (budgetMs === undefined) {
    if (options.defaultTimeout === undefined) return undefined;
    budgetMs = durationOption('defaultTimeout', options.defaultTimeout, 0);
  }
  return Deadline.after(Math.min(budgetMs, maxMs), { clock: options.clock ?? systemClock, signal: options.signal });
}

/**
 * Headers that carry what is left of `deadline` (minus `reserve`) to the next hop.
 * @throws HR_CORE_DEADLINE_EXCEEDED when nothing (or less than 1 ms) is left: do not send the request
 * @example await fetch(url, { headers: deadlineHeaders(deadline, { grpc: true }) })
 */
export function deadlineHeaders(deadline: Deadline, options: WriteDeadlineOptions = {}): Record<string, string> {
  const reserveMs = durationOption('reserve', options.reserve, 0);
  const remainingMs = deadline.remainingMs() - reserveMs;
  if (remainingMs < 1) {
    throw new DeadlineExceededError(`Deadline too close to call downstream: ${Math.max(0, remainingMs).toFixed(3)} ms left`, {
      remainingMs: Math.max(0, remainingMs),
      reserveMs,
    });
  }
  const out = options.into ?? {};
  out[options.header ?? TIMEOUT_HEADER] = String(Math.floor(remainingMs));
  if (options.grpc === true) out[GRPC_TIMEOUT_HEADER] = formatGrpcTimeout(remainingMs);
  return out;
}

const GRPC_UNITS_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
// Finest first, so the written value keeps the most precision that fits in 8 digits.
// Each unit as a multiplier of ms (exact for n, u, m) or a divisor (S, M, H), to avoid 1e-3 rounding.
const GRPC_WRITE_ORDER: ReadonlyArray<readonly [string, number, number]> = [
  ['n', 1e6, 1],
  ['u', 1e3, 1],
  ['m', 1, 1],
  ['S', 1, 1000],
  ['M', 1, 60_000],
  ['H', 1, 3_600_000],
];
const GRPC_MAX_VALUE = 99_999_999;

/**
 * Parses a `grpc-timeout` value into milliseconds.
 * @throws HR_LATENCY_INVALID_DEADLINE_HEADER when the value is not 1–8 digits followed by H, M, S, m, u or n
 * @example parseGrpcTimeout('250m') // 250
 */
export function parseGrpcTimeout(value: string): number {
  const match = /^(\d{1,8})([HMSmun])$/.exec(value.trim());
  if (match === null) throw invalidHeader(GRPC_TIMEOUT_HEADER, value, 'up to 8 digits followed by one of H M S m u n, e.g. "250m"');
  return Number(match[1]) * GRPC_UNITS_MS[match[2]!]!;
}

/**
 * Formats milliseconds as a `grpc-timeout` value, rounding down in the finest unit that fits.
 * @param ms - remaining time, > 0
 * @throws HR_LATENCY_INVALID_OPTION when `ms` is not a positive finite number
 * @example formatGrpcTimeout(250) // '250000u'
 */
export function formatGrpcTimeout(ms: number): string {
  numberOption('ms', ms, 0, Number.MIN_VALUE);
  for (const [unit, mul, div] of GRPC_WRITE_ORDER) {
    const value = Math.floor((ms * mul) / div);
    if (value <= GRPC_MAX_VALUE) return `${Math.max(1, value)}${unit}`;
  }
  return `${GRPC_MAX_VALUE}H`;
}

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const v = (headers as { get(name: string): string | null }).get(name);
    return v === null ? undefined : v;
  }
  const v = (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

function invalidHeader(header: string, value: string, expected: string): HeadroomError {
  return new HeadroomError(
    'HR_LATENCY_INVALID_DEADLINE_HEADER',
    `Invalid ${header} header: got ${JSON.stringify(value.slice(0, 40))}; the caller must send ${expected}.`,
    { details: { header, value: value.slice(0, 40) } },
  );
}
