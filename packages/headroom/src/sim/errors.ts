/** Errors of the sim module (codes listed in docs/errors.md, section "sim"). */
import { HeadroomError, InvalidOptionError, isHeadroomError } from '../core/errors.js';
import type { RunProgress } from './features.js';

const CODE = 'HR_SIM_INVALID_OPTION';

/** An invalid engine or model option, naming the option, the value and what is accepted. */
export function invalidOption(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, CODE);
}

/** The largest seed of a run: its random streams take 32 bits of seed. */
export const MAX_SEED = 0xffffffff;

/**
 * Why `seed` cannot seed a run, or undefined when it can: an integer from 0 to {@link MAX_SEED}. A
 * larger one would silently repeat the run of its low 32 bits (4294967297 is seed 1's run again).
 */
export function seedProblem(seed: unknown): string | undefined {
  if (typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED) return undefined;
  const repeats = typeof seed === 'number' && Number.isSafeInteger(seed) ? ` (${seed} would repeat the run of seed ${seed >>> 0})` : '';
  return `use an integer seed from 0 to ${MAX_SEED} (2^32 − 1): a run's random streams take 32 bits of seed${repeats}`;
}

/**
 * Runs `fn` (which builds an object of another module from part of a model), re-labelling an
 * invalid-option error it throws with the model's path: option `minLimit` under prefix
 * `servers.0.limiter.options` becomes `servers.0.limiter.options.minLimit`.
 * @throws HR_SIM_INVALID_OPTION naming the model path, for any error that names an option
 */
export function relabelled<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const d = isHeadroomError(e) ? (e.details as { option?: unknown; value?: unknown; expected?: unknown }) : undefined;
    if (d === undefined || typeof d.option !== 'string') throw e;
    throw invalidOption(`${prefix}.${d.option}`, d.value, typeof d.expected === 'string' ? d.expected : (e as Error).message);
  }
}

/**
 * A scenario (file or object) that does not describe a simulation: the message names the path of
 * the offending field (e.g. `servers.service.p`) and the reason.
 */
export class ScenarioError extends HeadroomError {
  /**
   * @param path - dotted path of the field, e.g. `arrivals.ratePerSec`
   * @param reason - what is wrong and what would be accepted
   * @param source - the file the scenario came from, when it came from one
   */
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly source?: string,
  ) {
    super(
      'HR_SIM_INVALID_SCENARIO',
      `${source === undefined ? 'Scenario' : `Scenario ${source}`}: ${path === '' ? '(root)' : path}: ${reason}`,
      {
        details: { path, reason, ...(source === undefined ? {} : { source }) },
      },
    );
  }
}

/**
 * A run whose worker thread reached its heap limit (`HR_SIM_OUT_OF_MEMORY`), naming the model (a
 * scenario's variant), the seed, the limit and, when the run reported progress, how far it
 * got and how many calls it held in flight — a model whose offered load stays above its capacity
 * keeps ever more of them.
 */
export function outOfMemory(model: string, seed: number, heapLimitMb: number, at: RunProgress | undefined, cause: unknown): HeadroomError {
  const where =
    at === undefined
      ? ''
      : ` at ${Number(((at.simulatedMs / at.durationMs) * 100).toPrecision(2))}% of its duration, ${at.inFlight.toLocaleString('en-US')} calls in flight`;
  return new HeadroomError(
    'HR_SIM_OUT_OF_MEMORY',
    `the run of ${model}, seed ${seed}, ran out of memory: its worker thread reached its heap limit of ${heapLimitMb} MB${where}. A model whose offered load stays above its capacity keeps ever more calls in flight: lower the rate, add servers or workers, or shorten the duration; a model that needs more heap: NODE_OPTIONS=--max-old-space-size=<MB> (or replicate's heapLimitMb).`,
    { cause, details: { seed, model, heapLimitMb, ...(at === undefined ? {} : { inFlight: at.inFlight, simulatedMs: at.simulatedMs }) } },
  );
}
