/**
 * headroom/latency — a p99 you can promise: deadlines that shrink as they travel, hedged and tied
 * requests, retry budgets, adaptive concurrency limits with load shedding, fan-out with partial
 * results, and a recorder that times from the intended start. See docs/latency.md.
 */
export { type AttemptContext, type ExecuteOptions, type Operation, type Policy, type PolicyOptions, wrap } from './policy.js';
export { Deadline, type DeadlineOptions, type ChildDeadlineOptions } from './deadline.js';
export { DeadlineBudget } from './deadline-core.js';
export {
  readDeadline,
  deadlineHeaders,
  parseGrpcTimeout,
  formatGrpcTimeout,
  TIMEOUT_HEADER,
  GRPC_TIMEOUT_HEADER,
  type HeaderSource,
  type ReadDeadlineOptions,
  type WriteDeadlineOptions,
} from './deadline-headers.js';
export { DeadlinePolicy, type DeadlinePolicyOptions } from './timeout.js';
export { TokenBudget, type TokenBudgetOptions, type TokenBudgetStats } from './budget.js';
export { HedgePolicy, DEFAULT_HEDGE_PERCENTILE, type HedgeOptions, type HedgeEvent, type HedgeStats } from './hedge.js';
export { HedgeCore, HedgeRun } from './hedge-core.js';
export { RetryPolicy, RetryCore, type RetryOptions, type RetryEvent, type RetryDecision, type RetryGiveUpReason } from './retry.js';
export {
  TiedPolicy,
  TiedCore,
  TiedRun,
  TiedRegistry,
  TieTicket,
  TieCancelledError,
  type TiedOptions,
  type TiedContext,
  type TiedStats,
  type TiedRegistryOptions,
  type TieState,
  type TieCancelResult,
} from './tied.js';
export { CancelledError, type CancelReason } from './cancelled.js';
export { SlidingPercentile } from './window.js';
export { type LimitAlgorithm, FixedLimit, log10Root } from './limit/limit-algorithm.js';
export { AimdLimit, type AimdLimitOptions } from './limit/aimd.js';
export { VegasLimit, type VegasLimitOptions } from './limit/vegas.js';
export { Gradient2Limit, type Gradient2LimitOptions } from './limit/gradient2.js';
export { WindowedLimit, type WindowedLimitOptions } from './limit/windowed.js';
export {
  ConcurrencyLimiter,
  Permit,
  type LimiterOptions,
  type AcquireOptions,
  type LimitedExecuteOptions,
  type LimiterEvent,
  type LimiterStats,
  type ShedReason,
  type PermitWaiter,
  type QueuedWait,
} from './limiter.js';
export {
  fanOut,
  FanOutTally,
  type FanOutOptions,
  type FanOutResult,
  type FanOutWait,
  type FanOutProgress,
  type BackendResult,
  type BackendStatus,
} from './fanout.js';
export {
  LatencyRecorder,
  type RecorderOptions,
  type IntervalSnapshot,
  type EventLoopDelaySource,
  type EventLoopDelaySnapshot,
} from './recorder.js';
export { limitHttp, type HttpLimiterOptions } from './adapters/http-limiter.js';
export { fastifyLimiter, type FastifyLimiterOptions, type FastifyLimiterPlugin } from './adapters/fastify-limiter.js';
export { shedResponse, RETRY_AFTER_MS_HEADER, type ShedResponse } from './adapters/shed-response.js';
export {
  TiedHttpServer,
  tieHeaders,
  isTieCancelled,
  TIE_ID_HEADER,
  TIE_PEER_HEADER,
  TIE_OUTCOME_HEADER,
  TIE_CANCEL_PATH,
  type TiedHttpServerOptions,
  type TiedHttpServerStats,
} from './adapters/tied-http.js';
