/**
 * headroom lab — a reference product-catalog service built from Headroom's modules, run as
 * several replica processes, loaded open-loop and broken on purpose, measuring what caching,
 * balancing, hedging and load shedding buy. The `headroom lab` command is a thin shell over
 * {@link runLab}; see docs/lab.md.
 */
export { runLab, type LabContext } from './run-lab.js';
export { type LabOptions, type LabOutput, type RawLabOptions, LAB_DEFAULTS, parseLabOptions } from './options.js';
export { type Progress, streamProgress, silentProgress } from './progress.js';
export { scenarioCatalog, overloadCapacityPerSec, type ScenarioContext } from './scenarios/catalog.js';
export { type ScenarioSpec, type PhaseSpec, type HedgeSpec, type MetricKey, type Routing } from './scenarios/types.js';
export { type LabReport, type ScenarioResult, type PhaseResult } from './report/types.js';
export { renderSummary } from './report/terminal.js';
export { renderHtml, CHART_KINDS } from './report/html.js';
export { interrupted, invalidLabOption } from './errors.js';
export { CHAOS_SCENARIO, type ChaosLabResult } from './chaos/types.js';
export { renderScaleScenario } from './scenarios/scale-render.js';
export { SCALE_SCENARIO, SCALE_CONCURRENCY, type ScaleScenarioResult } from './scenarios/scale.js';
export { renderSlowReplicasScenario } from './scenarios/slow-replicas-load-render.js';
export { SLOW_REPLICAS_SCENARIO, type SlowReplicasResult, type SlowReplicasCase } from './scenarios/slow-replicas-load.js';
