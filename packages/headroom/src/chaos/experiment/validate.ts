/**
 * Validates an experiment (parsed from JSON or YAML) and reports the first problem as one
 * error naming the path in the file and the reason (`HR_CHAOS_EXPERIMENT_INVALID`).
 */
import { HeadroomError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import type { Activity, Experiment } from './types.js';

/** An experiment file is invalid: `path` (e.g. `method[2].provider.url`) and `reason` say where and why. */
export class ExperimentInvalidError extends HeadroomError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, file?: string) {
    super('HR_CHAOS_EXPERIMENT_INVALID', `${file === undefined ? '' : `${file}: `}${path}: ${reason}`, {
      details: { path, reason, ...(file === undefined ? {} : { file }) },
    });
    this.path = path;
    this.reason = reason;
  }
}

const TOP = new Set([
  'title',
  'description',
  'tags',
  'version',
  'contributions',
  'configuration',
  'secrets',
  'extensions',
  'steady-state-hypothesis',
  'safeguards',
  'method',
  'rollbacks',
  'runtime',
]);
const OPS = new Set(['create', 'delete', 'add', 'update', 'remove', 'reset']);

/**
 * Checks `value` and returns it typed.
 * @throws HR_CHAOS_EXPERIMENT_INVALID naming the path and the reason
 */
export function validateExperiment(value: unknown, file?: string): Experiment {
  const fail = (path: string, reason: string): never => {
    throw new ExperimentInvalidError(path, reason, file);
  };
  const obj = (v: unknown, path: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path, 'must be an object');
  const str = (v: unknown, path: string): string => (typeof v === 'string' && v !== '' ? v : fail(path, 'must be a non-empty string'));
  const duration = (v: unknown, path: string): void => {
    if (v === undefined) return;
    try {
      parseDuration(v as number, path);
    } catch {
      fail(path, "must be a duration: ms, or a string like '500ms', '10s', '2m'");
    }
  };
  const url = (v: unknown, path: string): void => {
    try {
      new URL(str(v, path));
    } catch {
      fail(path, 'must be an absolute URL such as http://127.0.0.1:3000/health');
    }
  };
  const activity = (v: unknown, path: string, probeOnly: boolean): void => {
    const a = obj(v, path);
    if (a['type'] !== 'action' && a['type'] !== 'probe') fail(`${path}.type`, "must be 'action' or 'probe'");
    if (probeOnly && a['type'] !== 'probe') fail(`${path}.type`, "must be 'probe' here");
    str(a['name'], `${path}.name`);
    const p = obj(a['provider'], `${path}.provider`);
    const pp = `${path}.provider`;
    switch (p['type']) {
      case 'http':
        url(p['url'], `${pp}.url`);
        duration(p['timeout'], `${pp}.timeout`);
        break;
      case 'process':
        str(p['path'], `${pp}.path`);
        if (p['arguments'] !== undefined && !(Array.isArray(p['arguments']) && p['arguments'].every((x) => typeof x === 'string'))) {
          fail(`${pp}.arguments`, 'must be an array of strings');
        }
        duration(p['timeout'], `${pp}.timeout`);
        break;
      case 'toxiproxy':
        if (!OPS.has(p['op'] as string)) fail(`${pp}.op`, `must be one of ${[...OPS].join(', ')}`);
        if (p['op'] !== 'reset') str(p['proxy'], `${pp}.proxy`);
        if (p['api'] !== undefined) url(p['api'], `${pp}.api`);
        if (p['op'] === 'add' || p['op'] === 'update') obj(p['toxic'], `${pp}.toxic`);
        if (p['op'] === 'create') str(p['upstream'], `${pp}.upstream`);
        if (
          (p['op'] === 'remove' || p['op'] === 'update') &&
          typeof p['name'] !== 'string' &&
          typeof obj(p['toxic'] ?? {}, `${pp}.toxic`)['name'] !== 'string'
        ) {
          fail(`${pp}.name`, 'name the toxic to remove or update');
        }
        break;
      case 'load':
        url(p['url'], `${pp}.url`);
        if (!(typeof p['rate'] === 'number' && p['rate'] > 0 && p['rate'] <= 10_000))
          fail(`${pp}.rate`, 'must be requests per second, 0 < rate ≤ 10000');
        duration(p['window'], `${pp}.window`);
        duration(p['timeout'], `${pp}.timeout`);
        break;
      default:
        fail(`${pp}.type`, "must be 'http', 'process', 'toxiproxy' or 'load'");
    }
    if (p['type'] === 'load' && !probeOnly) fail(`${pp}.type`, "a 'load' probe runs for the whole experiment: use it in safeguards.probes");
    if (a['pauses'] !== undefined) {
      const pauses = obj(a['pauses'], `${path}.pauses`);
      duration(pauses['before'], `${path}.pauses.before`);
      duration(pauses['after'], `${path}.pauses.after`);
    }
    if (a['tolerance'] !== undefined) tolerance(a['tolerance'], `${path}.tolerance`);
    if (probeOnly && a['tolerance'] === undefined) fail(`${path}.tolerance`, 'a probe here needs a tolerance');
  };
  const tolerance = (t: unknown, path: string): void => {
    if (['string', 'number', 'boolean'].includes(typeof t)) return;
    if (Array.isArray(t)) {
      if (!t.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) fail(path, 'an array tolerance lists literals');
      return;
    }
    const o = obj(t, path);
    if (o['type'] === 'range') {
      const r = o['range'];
      if (!(Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === 'number') && (r[0] as number) <= (r[1] as number)))
        fail(`${path}.range`, 'must be [low, high] numbers');
    } else if (o['type'] === 'regex') {
      try {
        new RegExp(str(o['pattern'], `${path}.pattern`));
      } catch {
        fail(`${path}.pattern`, 'must be a valid regular expression');
      }
    } else fail(`${path}.type`, "must be 'range' or 'regex' (or give a literal or an array of literals)");
  };
  const list = (v: unknown, path: string, probeOnly: boolean, required: boolean): void => {
    if (v === undefined && !required) return;
    if (!Array.isArray(v)) fail(path, 'must be a list of activities');
    (v as unknown[]).forEach((a, i) => activity(a, `${path}[${i}]`, probeOnly));
  };

  const root = obj(value, '(root)');
  for (const key of Object.keys(root)) if (!TOP.has(key)) fail(key, `unknown field; expected one of ${[...TOP].join(', ')}`);
  str(root['title'], 'title');
  if (root['steady-state-hypothesis'] !== undefined) {
    const h = obj(root['steady-state-hypothesis'], 'steady-state-hypothesis');
    str(h['title'], 'steady-state-hypothesis.title');
    list(h['probes'], 'steady-state-hypothesis.probes', true, true);
    if ((h['probes'] as Activity[]).some((p) => p.provider.type === 'load'))
      fail('steady-state-hypothesis.probes', "a 'load' probe belongs in safeguards");
  }
  if (root['safeguards'] !== undefined) {
    const s = obj(root['safeguards'], 'safeguards');
    duration(s['interval'], 'safeguards.interval');
    duration(s['maxDuration'], 'safeguards.maxDuration');
    list(s['probes'], 'safeguards.probes', true, false);
  }
  list(root['method'], 'method', false, true);
  if ((root['method'] as unknown[]).length === 0) fail('method', 'must hold at least one activity');
  list(root['rollbacks'], 'rollbacks', false, false);
  return root as unknown as Experiment;
}
