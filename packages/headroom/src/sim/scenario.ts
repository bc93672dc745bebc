/**
 * Scenarios: a model plus named variants (each replaces some of the model's top-level fields —
 * `clients`, `servers`, `fanOut`, … — to compare policies side by side), as a TypeScript object or
 * a JSON file. Validation ends at the first problem with one {@link ScenarioError} naming the
 * field's path and the reason: unknown fields in any object (spec-keys.ts) and missing ones here,
 * impossible values by building every variant's model (the engine's own checks, re-labelled with
 * the path).
 */
import { readFileSync } from 'node:fs';
import { isHeadroomError } from '../core/errors.js';
import { checkModel } from './fleet.js';
import { invalidOption, MAX_SEED, ScenarioError, seedProblem } from './errors.js';
import { MODEL_KEYS, modelKeyProblem, objectProblem } from './spec-keys.js';
import type { RunProgress } from './features.js';
import type { ModelSpec } from './model-spec.js';
import { replicateModels, type Replications } from './replicate.js';

/** A variant: a name and the model fields it replaces. */
export type VariantSpec = { readonly name: string } & Partial<ModelSpec>;

/** A simulation scenario. */
export interface Scenario {
  /** Short name (built-ins are run by it). */
  readonly name: string;
  /** What it shows, one or two sentences. */
  readonly description?: string;
  /** Default seed of the first replication; default 1. */
  readonly seed?: number;
  /** The base model. */
  readonly model: ModelSpec;
  /** Variants compared side by side; default one variant, the base model, named "base". */
  readonly variants?: readonly VariantSpec[];
}

const SCENARIO_KEYS = ['name', 'description', 'seed', 'model', 'variants'];

function keys(v: unknown, allowed: readonly string[], path: string, source: string | undefined): void {
  const problem = objectProblem(v, allowed, path);
  if (problem !== undefined) throw new ScenarioError(problem.path, problem.reason, source);
}

/** Every object of a model or variant against its known fields (spec-keys.ts). */
function checkModelFields(m: unknown, path: string, isVariant: boolean, source: string | undefined): void {
  const problem = modelKeyProblem(m, path, isVariant);
  if (problem !== undefined) throw new ScenarioError(problem.path, problem.reason, source);
}

/** The model of each variant (the base model alone when there are none). */
export function variantModels(scenario: Scenario): { readonly name: string; readonly model: ModelSpec }[] {
  const variants = scenario.variants ?? [];
  if (variants.length === 0) return [{ name: 'base', model: scenario.model }];
  return variants.map(({ name, ...fields }) => ({ name, model: { ...scenario.model, ...fields } }));
}

/**
 * Validates a scenario (an object from a file or from code) and returns it typed.
 * @param source - the file it came from, for the error message
 * @throws HR_SIM_INVALID_SCENARIO naming the path of the first bad field and the reason
 */
export function validateScenario(value: unknown, source?: string): Scenario {
  keys(value, SCENARIO_KEYS, '', source);
  const s = value as Record<string, unknown>;
  if (typeof s['name'] !== 'string' || s['name'] === '') throw new ScenarioError('name', 'expected a non-empty string', source);
  if (s['description'] !== undefined && typeof s['description'] !== 'string')
    throw new ScenarioError('description', 'expected a string', source);
  const seedInvalid = s['seed'] === undefined ? undefined : seedProblem(s['seed']);
  if (seedInvalid !== undefined) throw new ScenarioError('seed', `got ${JSON.stringify(s['seed'])}; ${seedInvalid}`, source);
  if (s['model'] === undefined) throw new ScenarioError('model', 'missing; give the base model (duration, arrivals, servers, …)', source);
  keys(s['model'], MODEL_KEYS, 'model', source);
  for (const required of ['duration', 'arrivals', 'servers']) {
    if ((s['model'] as Record<string, unknown>)[required] === undefined) throw new ScenarioError(`model.${required}`, 'missing', source);
  }
  checkModelFields(s['model'], 'model', false, source);
  const variants = s['variants'];
  if (variants !== undefined) {
    if (!Array.isArray(variants)) throw new ScenarioError('variants', 'expected a list of { name, …model fields }', source);
    const names = new Set<string>();
    variants.forEach((v, i) => {
      keys(v, ['name', ...MODEL_KEYS], `variants.${i}`, source);
      const name = (v as Record<string, unknown>)['name'];
      if (typeof name !== 'string' || name === '') throw new ScenarioError(`variants.${i}.name`, 'expected a non-empty string', source);
      if (names.has(name))
        throw new ScenarioError(`variants.${i}.name`, `"${name}" is used by an earlier variant; names must differ`, source);
      names.add(name);
      checkModelFields(v, `variants.${i}`, true, source);
    });
  }
  const scenario = value as Scenario;
  variantModels(scenario).forEach(({ model }, i) => {
    try {
      checkModel(model);
    } catch (e) {
      if (!isHeadroomError(e)) throw e;
      const option = String((e.details as { option?: unknown }).option ?? '');
      const inVariant = variants !== undefined && Object.keys(variants[i] as object).includes(option.split('.')[0]!);
      const path = `${inVariant ? `variants.${i}` : 'model'}.${option}`;
      throw new ScenarioError(path, e.message.replace(/^Invalid option [^:]*: /, ''), source);
    }
  });
  return scenario;
}

/**
 * Reads and validates a JSON scenario file.
 * @throws HR_SIM_INVALID_SCENARIO when the file cannot be read, is not JSON, or is not a scenario
 */
export function readScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError('', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError('', `not valid JSON: ${(e as Error).message}`, path);
  }
  return validateScenario(value, path);
}

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** First seed; default the scenario's seed, else 1. */
  readonly seed?: number;
  /** Replications per variant (seeds seed … seed + n − 1); default 1. */
  readonly replications?: number;
  /** Worker threads; default 0 (this thread). */
  readonly threads?: number;
  /** Young generation of each worker thread, MB (see `ReplicateOptions.youngGenerationMb`). */
  readonly youngGenerationMb?: number;
  /** Heap limit of each worker thread, MB (see `ReplicateOptions.heapLimitMb`). */
  readonly heapLimitMb?: number;
  /** Called after each replication. */
  readonly onProgress?: (variant: string, done: number, total: number) => void;
  /** Called during each replication, about every `PROGRESS_EVENTS` events (`runModel`'s `onProgress`); results do not change. */
  readonly onRunProgress?: (variant: string, seed: number, progress: RunProgress) => void;
}

/**
 * Every variant of a scenario, replicated on the same seeds.
 * @throws HR_SIM_INVALID_OPTION (option `seed`) when a replication's seed would be outside 0 …
 * `MAX_SEED` (the first seed, or the last: seed + replications − 1)
 */
export async function runScenario(
  scenario: Scenario,
  options: RunScenarioOptions = {},
): Promise<{ readonly name: string; readonly replications: Replications }[]> {
  const first = options.seed ?? scenario.seed ?? 1;
  const n = options.replications ?? 1;
  const problem =
    seedProblem(first) ??
    (first + n - 1 > MAX_SEED
      ? `${n} replications take seeds ${first} … ${first + n - 1}, above ${MAX_SEED} (2^32 − 1); start at ${MAX_SEED - n + 1} or below`
      : undefined);
  if (problem !== undefined) throw invalidOption('seed', first, problem);
  const seeds = Array.from({ length: n }, (_, i) => first + i);
  const variants = variantModels(scenario);
  const replications = await replicateModels(
    variants.map((v) => v.model),
    {
      seeds,
      threads: options.threads ?? 0,
      ...(options.youngGenerationMb === undefined ? {} : { youngGenerationMb: options.youngGenerationMb }),
      ...(options.heapLimitMb === undefined ? {} : { heapLimitMb: options.heapLimitMb }),
      modelNames: variants.map((v) => `variant ${v.name}`),
      onProgress: (model, done, total) => options.onProgress?.(variants[model]!.name, done, total),
      ...(options.onRunProgress === undefined
        ? {}
        : { onRunProgress: (model: number, seed: number, p: RunProgress) => options.onRunProgress!(variants[model]!.name, seed, p) }),
    },
  );
  return variants.map((v, i) => ({ name: v.name, replications: replications[i]! }));
}
