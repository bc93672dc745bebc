/**
 * Checks a probe's value against its tolerance (Chaos Toolkit's rules, simplified): a literal
 * equals the value — or its `status` when the value is an http or process result; an array
 * accepts any of its literals; a range and a regex read `target` (default: `status`, else the value).
 */
import type { Tolerance } from './types.js';

/** True when `value` is within `tolerance`. */
export function withinTolerance(value: unknown, tolerance: Tolerance): boolean {
  const field = (target: string | undefined): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const v = value as Record<string, unknown>;
    if (target !== undefined) return v[target];
    return 'status' in v ? v['status'] : value;
  };
  if (isList(tolerance)) return tolerance.some((t) => field(undefined) === t);
  if (typeof tolerance !== 'object') return field(undefined) === tolerance;
  if (tolerance.type === 'range') {
    const x = field(tolerance.target);
    return typeof x === 'number' && x >= tolerance.range[0] && x <= tolerance.range[1];
  }
  const x = field(tolerance.target ?? ('body' in Object(value) ? 'body' : 'stdout' in Object(value) ? 'stdout' : undefined));
  return typeof x === 'string' && new RegExp(tolerance.pattern).test(x);
}

/** The numeric fields of a probe value, for the timeline (status, latencyMs, errorRate, p99Ms, ...). */
export function numericFields(value: unknown): Record<string, number> {
  if (typeof value === 'number') return { value };
  if (typeof value !== 'object' || value === null) return {};
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

function isList(t: Tolerance): t is readonly (string | number | boolean)[] {
  return Array.isArray(t);
}
