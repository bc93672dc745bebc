/**
 * headroom/scale — how far a service scales and why it stops: load that measures honestly (the
 * open-loop driver: arrival schedules as data, latency from intended send times, the driver's own
 * lag; the Zipf key sampler), Amdahl's and Gustafson's laws, the Universal Scalability Law fitted
 * by bounded least squares (the R `usl` package's conventions), prediction with intervals, and
 * capacity planning on a fit; load plans run on one event loop, on worker threads, or on workers
 * on several machines joined through Redis, their HDR histograms merged exactly; the knee of an
 * open-loop sweep.
 */
export {
  runOpenLoop,
  SUCCESS,
  type Arrival,
  type Settled,
  type OpenLoopOptions,
  type LoadProgress,
  type OpenLoopResult,
} from './open-loop.js';
export {
  arrivalOffsets,
  constantRate,
  poissonRate,
  rampRate,
  resolveSchedule,
  scheduleDurationMs,
  type ArrivalSchedule,
  type RateStep,
  type ResolvedStep,
} from './schedule.js';
export { ZipfSampler, type ZipfOptions } from './zipf.js';
export { amdahlSpeedup, amdahlLimit, gustafsonSpeedup } from './models/amdahl.js';
export { uslThroughput, uslPeak, uslAmdahlLimit, uslOptimal, type UslCoefficients, type UslPoint } from './models/usl.js';
export { type ScaleMeasurement, type ThroughputPoint } from './models/measurements.js';
export {
  fitUsl,
  uslGradient,
  type FitUslOptions,
  type UslFit,
  type UslEstimate,
  type UslFittedPoint,
  type UslIntervalMethod,
} from './models/fit-usl.js';
export { predictUsl, type PredictUslOptions, type UslPrediction } from './models/predict.js';
export { studentTQuantile, studentTCdf } from './models/student-t.js';
export { ScaleDataError, type ScaleDataErrorCode } from './models/errors.js';
export { planCapacity, type CapacityPlan } from './plan/capacity.js';
export { runClosedLoop, type ClosedLoopOptions, type ClosedLoopResult } from './generator/closed-loop.js';
export { parseThreshold, evaluateThresholds, type Threshold, type ThresholdInput, type ThresholdResult } from './generator/thresholds.js';
export { HttpTarget, classifyHttp, type HttpTargetOptions } from './adapters/http-target.js';
export { findKnee, type RatePoint, type KneeOptions, type KneeResult, type RatePointVerdict } from './plan/knee.js';
export { splitPlan, validatePlan, type LoadPlan, type LoadShape } from './runner/load-plan.js';
export { encodeLoadResult, decodeLoadResult, type LoadResult, type EncodedLoadResult, type TimelineRow } from './runner/load-result.js';
export { runLoadPlan, type RunLoadPlanOptions } from './runner/run-plan.js';
export { runLoadWorkers, type LoadWorkersOptions } from './workers/threads.js';
export { mergeLoadResults, TimelineMerger, type SharedLoadResult, type WorkerReport, type WorkerOutcome } from './runner/merge.js';
export { runLoadOverRedis, type RedisRunOptions } from './workers/redis-coordinator.js';
export { serveLoadOverRedis, type RedisWorkerOptions, type RedisConnectionEvent } from './workers/redis-worker.js';
export { type RedisListClient, type RedisConnectionControl } from './workers/redis-protocol.js';
