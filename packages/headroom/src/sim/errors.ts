/** Errors of the sim module (codes listed in docs/errors.md, section "sim"). */
import { HeadroomError, InvalidOptionError, isHeadroomError } from '../core/errors.js';

const CODE = 'HR_SIM_INVALID_OPTION';

/** An invalid engine or model option, naming the option, the value and what is accepted. */
export function invalidOption(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, CODE);
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
