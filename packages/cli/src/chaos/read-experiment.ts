/**
 * Reads an experiment file (JSON, or YAML for .yaml/.yml) and validates it: one error
 * (`HR_CHAOS_EXPERIMENT_INVALID`) naming the file, the path in it and the reason.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ExperimentInvalidError, validateExperiment, type Experiment } from 'headroom/chaos';

/** Reads and validates `file`. @throws HR_CHAOS_EXPERIMENT_INVALID */
export function readExperiment(file: string): Experiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ExperimentInvalidError('(file)', `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, file);
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const kind = /\.ya?ml$/i.test(file) ? 'YAML' : 'JSON';
    throw new ExperimentInvalidError('(file)', `is not valid ${kind}: ${(error as Error).message.split('\n')[0]}`, file);
  }
  return validateExperiment(value, file);
}
