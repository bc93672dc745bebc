/**
 * Fault schedules: how strongly a fault applies at a given moment of the experiment, as an
 * intensity in [0, 1] that multiplies the fault's probability. Pure functions of the elapsed
 * time; O(1).
 */
import { parseDuration, type Duration } from '../core/duration.js';
import { chaosOption } from './errors.js';

/**
 * When a fault applies, measured from the injector's start (every time is a {@link Duration}; `start` defaults to 0):
 * - `{ kind: 'always' }` (the default)
 * - `{ kind: 'window', start?, duration }` full intensity for `duration`, nothing outside
 * - `{ kind: 'ramp', start?, over, from?, to? }` intensity rises linearly from `from` (0) to `to` (1), then holds
 * - `{ kind: 'flap', start?, on, off }` on for `on`, off for `off`, repeating
 * - `{ kind: 'fail-then-heal', start?, fail, heal? }` full for `fail`, then falls linearly to 0 over `heal` (0)
 */
export type ScheduleSpec =
  | { readonly kind: 'always' }
  | { readonly kind: 'window'; readonly start?: Duration; readonly duration: Duration }
  | { readonly kind: 'ramp'; readonly start?: Duration; readonly over: Duration; readonly from?: number; readonly to?: number }
  | { readonly kind: 'flap'; readonly start?: Duration; readonly on: Duration; readonly off: Duration }
  | { readonly kind: 'fail-then-heal'; readonly start?: Duration; readonly fail: Duration; readonly heal?: Duration };

/** A compiled schedule: the intensity in [0, 1] at `elapsedMs` after the start. */
export type Schedule = (elapsedMs: number) => number;

/**
 * Compiles a {@link ScheduleSpec}.
 * @throws HR_CHAOS_INVALID_OPTION / HR_CORE_INVALID_DURATION naming `option` when malformed
 * @example compileSchedule({ kind: 'flap', on: '1s', off: '4s' })(1500) // 0
 */
export function compileSchedule(spec: ScheduleSpec | undefined, option = 'schedule'): Schedule {
  if (spec === undefined || spec.kind === 'always') return () => 1;
  const start = spec.start === undefined ? 0 : parseDuration(spec.start, `${option}.start`);
  switch (spec.kind) {
    case 'window': {
      const end = start + parseDuration(spec.duration, `${option}.duration`);
      return (t) => (t >= start && t < end ? 1 : 0);
    }
    case 'ramp': {
      const over = parseDuration(spec.over, `${option}.over`);
      const from = level(spec.from, 0, `${option}.from`);
      const to = level(spec.to, 1, `${option}.to`);
      return (t) => (t < start ? 0 : over === 0 || t >= start + over ? to : from + ((t - start) / over) * (to - from));
    }
    case 'flap': {
      const on = parseDuration(spec.on, `${option}.on`);
      const off = parseDuration(spec.off, `${option}.off`);
      if (on + off === 0) throw chaosOption(`${option}.on`, spec.on, 'make on + off longer than 0');
      return (t) => (t >= start && (t - start) % (on + off) < on ? 1 : 0);
    }
    case 'fail-then-heal': {
      const fail = parseDuration(spec.fail, `${option}.fail`);
      const heal = spec.heal === undefined ? 0 : parseDuration(spec.heal, `${option}.heal`);
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
