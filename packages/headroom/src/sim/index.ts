/**
 * headroom/sim — a deterministic discrete-event simulator that runs the policy objects users
 * deploy (balance pickers and load metrics, partitioners, cache eviction, latency policies' cores)
 * in virtual time, at fleet scale. See docs/sim.md.
 */
export { SimEngine, type SimEngineOptions, type SimHandler } from './engine.js';
export { MAX_SEED, ScenarioError } from './errors.js';
export { runModel, checkModel } from './fleet.js';
export { type ModelHooks, type RoundTripOutcome, type RunProgress, PROGRESS_EVENTS } from './features.js';
export { type KeySpec, type PartitionerSpec } from './keys.js';
export { type CacheSpec } from './cache.js';
export { type LimiterSpec, type LimitAlgorithmName } from './limiter.js';
export { type RunSeries } from './series.js';
export { type RunResult } from './result.js';
export { sampler, type DistributionSpec, type Sampler } from './distributions.js';
export { meanCi, type MeanCi } from './stats.js';
export {
  type ModelSpec,
  type ArrivalSpec,
  type ClientSpec,
  type PickerSpec,
  type LoadSpec,
  type HedgeSpec,
  type PauseSpec,
  type RecordedPausesSpec,
  type Discipline,
  type ServerGroupSpec,
  type NetworkSpec,
  type NetworkLinkSpec,
  type FanOutSpec,
  type FaultSpec,
} from './model-spec.js';
export { erlangC, mmcMeanSojourn, md1MeanSojourn, supermarketMeanSojourn, supermarketTail, fanOutSlowProbability } from './queueing.js';
export {
  replicate,
  replicateModels,
  summarize,
  DEFAULT_YOUNG_GENERATION_MB,
  type ReplicateModelsOptions,
  type ReplicateOptions,
  type Replications,
  type ReplicationSummary,
} from './replicate.js';
export {
  validateScenario,
  readScenarioFile,
  runScenario,
  variantModels,
  type Scenario,
  type VariantSpec,
  type RunScenarioOptions,
} from './scenario.js';
export { builtinScenarios, builtinScenario } from './scenarios/builtins.js';
export { loadDeviation, type LoadDeviation, type ServerLoad } from './load-deviation.js';
export {
  readLatencyHistogram,
  parseLatencyHistogram,
  HistogramFileError,
  type HistogramInputOptions,
  type HistogramUnit,
  type LoadedHistogram,
} from './histogram-input.js';
