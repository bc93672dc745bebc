/**
 * headroom/balance — send each request to the endpoint that will answer soonest, and stop
 * sending to sick ones: pickers × load metrics, active health checks, outlier ejection, panic
 * threshold, slow start, draining; `balancer.call()` for any client and an undici `Dispatcher`
 * for `fetch` / `undici.request`. See docs/balance.md.
 */
export { Balancer, type BalancerOptions, type CallOptions } from './balancer.js';
export { BalancerCore, type CoreConfig, type HealthThresholds } from './core.js';
export { type Endpoint, type EndpointSpec, type EndpointInput, type EndpointStatus } from './endpoint.js';
export { NoEndpointError } from './errors.js';
export {
  type BalanceEvent,
  type PickEvent,
  type EjectionEvent,
  type EjectionRefusedEvent,
  type ReadmissionEvent,
  type HealthEvent,
  type PanicEvent,
  type MembershipEvent,
  type EjectionReason,
} from './events.js';
export { type Candidates, type Picker, type PickerFactory } from './picker.js';
export { type LoadMetric, type LoadMetricFactory } from './load-metric.js';
export { roundRobin } from './pickers/round-robin.js';
export { weightedRoundRobin } from './pickers/weighted-round-robin.js';
export { uniformRandom } from './pickers/random.js';
export { weightedRandom } from './pickers/weighted-random.js';
export { leastLoaded } from './pickers/least-loaded.js';
export { p2c, type P2cOptions } from './pickers/p2c.js';
export { hashAffinity, type HashAffinityOptions } from './pickers/hash-affinity.js';
export { outstanding } from './load/outstanding.js';
export { peakEwma, type PeakEwmaOptions } from './load/peak-ewma.js';
export {
  type ActiveHealthOptions,
  type Probe,
  ActiveHealthChecker,
  resolveActiveHealth,
  type ActiveHealthConfig,
} from './health/active.js';
export {
  type OutlierOptions,
  type SuccessRateOutlierOptions,
  type LatencyOutlierOptions,
  type OutlierConfig,
  type LatencyOutlierConfig,
  resolveOutlier,
} from './health/outlier.js';
export { type SlowStartOptions, slowStartFactor, resolveSlowStart, type SlowStartConfig } from './slow-start.js';
export { type BalancerSnapshot, type EndpointSnapshot } from './snapshot.js';
export { BalancedDispatcher, type BalancedDispatcherOptions, type FetchDispatcher } from './adapters/undici-dispatcher.js';
export { httpProbe, type HttpProbeOptions } from './adapters/http-probe.js';
export { prequal, type PrequalOptions, type PrequalFactory, type PrequalStats } from './pickers/prequal.js';
export { prequalSync, SyncProbeRound, type PrequalSync, type PrequalSyncOptions, type PrequalSyncStats } from './pickers/prequal-sync.js';
export { type LoadReport, LOAD_HEADER, LOAD_PROBE_PATH, formatLoadReport, parseLoadReport } from './probe/load-report.js';
export { LoadReporter, type LoadReporterOptions, type RequestTicket } from './probe/reporter.js';
export { type Prober } from './probe/prober.js';
export { httpProber, type HttpProberOptions } from './adapters/http-prober.js';
export { reuseBudget } from './probe/reuse.js';
export { c3, c3Load, C3_DEFAULT_CHOICES, type C3Options, type C3Factory, type C3Stats } from './pickers/c3.js';
export { C3Feedback, ReplicaFeedback, type C3FeedbackOptions } from './c3/feedback.js';
export { CubicRate, C3_CUBIC, type CubicConfig } from './c3/cubic.js';
export { C3Backlog, BacklogCore, type C3BacklogOptions, type C3BacklogStats, type RateLimitedPicker } from './c3/backlog.js';
export { aperture, apertureSlice, type ApertureOptions, type ApertureSlice, type ProcessCoordinate } from './aperture/aperture.js';
export {
  loadReporterHandler,
  fastifyLoadReporter,
  type LoadReporterHttpOptions,
  type FastifyLoadReporterPlugin,
  type FastifyLike,
  type FastifyRequestLike,
  type FastifyReplyLike,
} from './adapters/probe-reporter-http.js';
