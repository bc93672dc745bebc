/**
 * headroom/chaos — break things on purpose, safely: in-process faults (latency, errors, status
 * codes, timeouts, hangs, resets, event-loop stalls) with a seeded blast radius, schedules and a
 * global kill switch. See docs/chaos.md.
 */
export { InjectedFaultError, INJECTED_FAULT_CODE, type InjectedFaultKind } from './errors.js';
export { latencyModel, type LatencyModel, type LatencySpec } from './latency-model.js';
export { compileSchedule, type Schedule, type ScheduleSpec } from './schedule.js';
export { compileSelector, seededChoice, type Selector, type SelectorSpec } from './blast-radius.js';
export { KillSwitch, killSwitch } from './kill-switch.js';
export {
  FaultInjector,
  type FaultInjectorOptions,
  type FaultRule,
  type FaultDecision,
  type FaultEvent,
  type FaultOutcome,
  type FaultRuleStats,
} from './injector.js';
export { withFaults, type WithFaultsOptions } from './wrap.js';
export { stallEventLoop, EventLoopStaller, type EventLoopStallerOptions } from './stall.js';
export { faultyHandler, CHAOS_RULE_HEADER, type FaultyHandlerOptions } from './adapters/http-handler.js';
export { faultyFetch, type FetchLike, type FaultyFetchOptions } from './adapters/fetch.js';
export { faultInterceptor, type FaultInterceptorOptions } from './adapters/undici-interceptor.js';
export { fastifyFaults, type FastifyFaultsOptions, type FastifyFaultsPlugin } from './adapters/fastify-faults.js';
export { faultyRedis, type FaultyRedisOptions } from './adapters/redis.js';
export {
  ChaosProxyServer,
  TokenRequiredError,
  isLoopbackHost,
  TOXIPROXY_API_VERSION,
  type ChaosProxyServerOptions,
  type ProxyWithToxics,
} from './adapters/proxy-server.js';
export { splitHostPort, type ProxyState } from './adapters/tcp-proxy.js';
export { ToxiproxyApiError } from './proxy/api-error.js';
export { parseToxic, updateToxic, TOXIC_ATTRIBUTES, type ToxicSpec, type ToxicStream, type ToxicType } from './proxy/toxics.js';
export { ToxicLink, type LinkContext, type LinkSink } from './proxy/link.js';
export type { Chunk, Stage, StageOutput } from './proxy/stage.js';
export { validateExperiment, ExperimentInvalidError } from './experiment/validate.js';
export { withinTolerance } from './experiment/tolerance.js';
export { runExperiment, type RunExperimentOptions, type ProviderRunner, type LiveProbe, type RunEvent } from './experiment/run.js';
export type {
  Experiment,
  Activity,
  Provider,
  Tolerance,
  Journal,
  ActivityRun,
  FaultWindow,
  ProbeSample,
  ExperimentStatus,
} from './experiment/types.js';
export { realProviders, type RealProvidersOptions } from './adapters/experiment-providers.js';
export { NetworkLab, NODE_ADDRESS, type NetworkNode } from './adapters/netns.js';
