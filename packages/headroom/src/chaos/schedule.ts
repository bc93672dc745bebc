/**
 * Fault schedules: how strongly a fault applies at a given moment of the experiment, as an
 * intensity in [0, 1] that multiplies the fault's probability. Pure functions of the elapsed
 * time; O(1).
 */
import { parseDuration, type Duration } from '../core/duration.js';
import { chaosOption } from './errors.js';

/**
 * When a fault applies, measured from the injector's start (all fields are {@link Duration}s):
 * - `{ kind: 'always' }` (the default)
 * - `{ kind: 'window', startMs?, forMs }` full intensity for `forMs`, nothing outside
 * - `{ kind: 'ramp', startMs?, overMs, from?, to? }` intensity rises linearly from `from` (0) to `to` (1), then holds
 * - `{ kind: 'flap', startMs?, onMs, offMs }` on for `onMs`, off for `offMs`, repeating
 * - `{ kind: 'fail-then-heal', startMs?, failMs, healMs? }` full for `failMs`, then falls linearly to 0 over `healMs` (0)
 */
export type ScheduleSpec =
  | { readonly kind: 'always' }
  | { readonly kind: 'window'; readonly startMs?: Duration; readonly forMs: Duration }
  | { readonly kind: 'ramp'; readonly startMs?: Duration; readonly overMs: Duration; readonly from?: number; readonly to?: number }
  | { readonly kind: 'flap'; readonly startMs?: Duration; readonly onMs: Duration; readonly offMs: Duration }
  | { readonly kind: 'fail-then-heal'; readonly startMs?: Duration; readonly failMs: Duration; readonly healMs?: Duration };

/** A compiled schedule: the intensity in [0, 1] at `elapsedMs` after the start. */
export type Schedule = (elapsedMs: number) => number;

/**
 * Compiles a {@link ScheduleSpec}.
 * @throws HR_CHAOS_INVALID_OPTION / HR_CORE_INVALID_DURATION naming `option` when malformed
 * @example compileSchedule({ kind: 'flap', onMs: '1s', offMs: '4s' })(1500) // 0
 */
export function compileSchedule(spec: ScheduleSpec | undefined, option = 'schedule'): Schedule {
  if (spec === undefined || spec.kind === 'always') return () => 1;
  const start = spec.startMs === undefined ? 0 : parseDuration(spec.startMs, `${option}.startMs`);
  switch (spec.kind) {
    case 'window': {
      const end = start + parseDuration(spec.forMs, `${option}.forMs`);
      return (t) => (t >= start && t < end ? 1 : 0);
    }
    case 'ramp': {
      const over = parseDuration(spec.overMs, `${option}.overMs`);
      const from = level(spec.from, 0, `${option}.from`);
      const to = level(spec.to, 1, `${option}.to`);
      return (t) => (t < start ? 0 : over === 0 || t >= start + over ? to : from + ((t - start) / over) * (to - from));
    }
    case 'flap': {
      const on = parseDuration(spec.onMs, `${option}.onMs`);
      const off = parseDuration(spec.offMs, `${option}.offMs`);
      if (on + off === 0) throw chaosOption(`${option}.onMs`, spec.onMs, 'make onMs + offMs greater than 0');
      return (t) => (t >= start && (t - start) % (on + off) < on ? 1 : 0);
    }
    case 'fail-then-heal': {
      const fail = parseDuration(spec.failMs, `${option}.failMs`);
      const heal = spec.healMs === undefined ? 0 : parseDuration(spec.healMs, `${option}.healMs`);
      return (t) => {
        if (t < start) return 0;
        if (t < start + fail) return 1;
        if (heal === 0 || t >= start + fail + heal) return 0;
        return 1 - (t - start - fail) / heal;
      };
    }
    default:
      throw chaosOption(`${option}.kind`, (spec as { kind?: unknown }).kind, "use 'always', 'window', 'ramp', 'flap' or 'fail-then-heal'");
  }
}

function level(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (!(value >= 0 && value <= 1)) throw chaosOption(option, value, 'use an intensity between 0 and 1');
  return value;
}
