/**
 * Draws the charts of the default-settling sweeps from their JSON (`sweep-data.ts`) as static SVG,
 * with Vega-Lite compiled to Vega and rendered headless (`View.toSVG()`: no browser, no canvas).
 * Each chart plots what the default is chosen by against the knob, one line per load level or
 * service shape, with the chosen default marked by a grey band:
 *
 * - hedge-percentile: p99, p99.9 and extra load against the hedge percentile, a line per load,
 *   a column per service shape;
 * - peak-ewma-decay: regret (p99 ÷ the best τ's p99 in the same cell) and p99 ÷ round-robin's
 *   against τ, a line per shape and load, a column per client;
 * - limiter-sweep: goodput and p99 against the limiter, a line per offered load, a row per server
 *   size, a column per service shape.
 *
 * The benches call {@link renderSweepChart} after writing their JSON; to redraw from the committed
 * JSON alone: `node --import tsx packages/headroom/bench/sim/sweep-chart.ts [name…]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TopLevelSpec as VegaLiteSpec } from 'vega-lite';
import { repoPath, sweepDir, type SweepFile, type SweepRun } from './sweep-data.js';

/** A Vega-Lite spec as built here, loosely typed; Vega-Lite's `compile` checks it when it is drawn. */
type TopLevelSpec = Record<string, unknown>;

/** The sweeps that have a chart. */
export const SWEEP_CHARTS = ['hedge-percentile', 'peak-ewma-decay', 'limiter-sweep'] as const;
export type SweepChartName = (typeof SWEEP_CHARTS)[number];

interface HedgeCell {
  shape: string;
  load: number;
  percentile: number | null;
  p99: number;
  p999: number;
  extra: number;
}
interface DecayCell {
  shape: string;
  load: number;
  client: string;
  p99Ratio: number[];
  p99Ms: number[];
  taus: number[];
}
interface LimiterCell {
  shape: string;
  workers: number;
  level: number;
  limiter: string;
  goodput: number;
  p99: number;
}

const DEFAULT_BAND = { color: '#999999', strokeOpacity: 0.25 } as const;

function subtitle(run: SweepRun): string {
  const load = run.loadStart === run.loadEnd ? `${run.loadStart}` : `${run.loadStart}–${run.loadEnd}`;
  return `${run.command} · ${run.date.slice(0, 10)} at ${run.commit} · ${run.seeds} seeds · load average ${load} (virtual time: figures do not depend on it) · grey band: the default`;
}

/** Facet rows: one per panel, labelled by its name without the "1 · " that orders them. */
const PANEL_ROWS = {
  field: 'panel',
  type: 'nominal',
  title: null,
  header: { labelFontWeight: 'bold', labelExpr: 'slice(datum.value, 4)' },
};

/** Facet columns: one per service shape, in the order the sweep ran them. */
const shapeColumns = (cells: readonly { shape: string }[]): TopLevelSpec => ({
  field: 'shape',
  type: 'nominal',
  title: null,
  sort: [...new Set(cells.map((c) => c.shape))],
});

const pct = (x: number): string => `${Math.round(x * 100)}%`;

function hedgeSpec(file: SweepFile<HedgeCell>): TopLevelSpec {
  const order = ['no hedge', 'p90', 'p95', 'p98', 'p99'];
  const values = file.cells.flatMap((c) => {
    const at = c.percentile === null ? 'no hedge' : `p${c.percentile}`;
    const base = { shape: c.shape, load: pct(c.load), at };
    return [
      { ...base, panel: '1 · p99 ms', value: c.p99 },
      { ...base, panel: '2 · p99.9 ms', value: c.p999 },
      { ...base, panel: '3 · extra requests %', value: c.extra * 100 },
    ];
  });
  return {
    title: { text: 'Hedge percentile: p99, p99.9 and extra load against the hedge delay', subtitle: subtitle(file.run) },
    data: { values },
    facet: {
      row: PANEL_ROWS,
      column: shapeColumns(file.cells),
    },
    spec: {
      width: 220,
      height: 150,
      layer: [
        {
          // One row per panel (the default at one load), so the band is drawn once.
          transform: [{ filter: `datum.at === 'p95' && datum.load === '${pct(file.cells[0]!.load)}'` }],
          mark: { type: 'rule', strokeWidth: 34, ...DEFAULT_BAND },
          encoding: { x: { field: 'at', type: 'ordinal', sort: order, scale: { padding: 0.8 } } },
        },
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'at', type: 'ordinal', sort: order, title: 'hedge after', axis: { labelAngle: 0 }, scale: { padding: 0.8 } },
            y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
            color: { field: 'load', type: 'ordinal', title: 'utilization', scale: { scheme: 'viridis' } },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

function decaySpec(file: SweepFile<DecayCell>): TopLevelSpec {
  const values = file.cells.flatMap((c) => {
    const best = Math.min(...c.p99Ms);
    return c.taus.flatMap((tau, i) => {
      const base = { client: `${c.client} client`, line: `${c.shape}, ${pct(c.load)}`, shape: c.shape, load: pct(c.load), tau: tau / 1000 };
      return [
        { ...base, panel: "1 · regret: p99 ÷ best τ's", value: c.p99Ms[i]! / best },
        { ...base, panel: "2 · p99 ÷ round-robin's", value: c.p99Ratio[i]! },
      ];
    });
  });
  return {
    title: { text: "Peak-EWMA decay τ: each τ's p99 against the best τ's and round-robin's", subtitle: subtitle(file.run) },
    data: { values },
    facet: {
      row: PANEL_ROWS,
      column: { field: 'client', type: 'nominal', title: null, sort: ['none client', 'quiet client', 'busy client'] },
    },
    spec: {
      width: 220,
      height: 170,
      layer: [
        {
          transform: [{ filter: `datum.tau === 3 && datum.line === '${file.cells[0]!.shape}, ${pct(file.cells[0]!.load)}'` }],
          mark: { type: 'rule', strokeWidth: 14, ...DEFAULT_BAND },
          encoding: { x: { field: 'tau', type: 'quantitative' } },
        },
        {
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: {
            x: {
              field: 'tau',
              type: 'quantitative',
              title: 'τ (s, log scale)',
              scale: { type: 'log', domain: [0.4, 12] },
              axis: { values: [0.5, 1, 3, 10] },
            },
            y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
            color: { field: 'shape', type: 'nominal', title: 'shape' },
            strokeDash: {
              field: 'load',
              type: 'ordinal',
              title: 'load',
              legend: { symbolType: 'stroke', symbolStrokeColor: 'black', symbolStrokeWidth: 1.5 },
            },
            detail: { field: 'line' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 20 },
          encoding: {
            x: { field: 'tau', type: 'quantitative' },
            y: { field: 'value', type: 'quantitative' },
            color: { field: 'shape', type: 'nominal' },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** The limiter's name without the server size, so c = 4 and c = 40 share an axis. */
function limiterLabel(name: string): string {
  if (name.startsWith('Gradient2 windowed (default)')) return 'Gradient2 (default)';
  if (name.startsWith('Gradient2 windowed, minLimit 1')) return 'Gradient2, minLimit 1';
  if (name.startsWith('Vegas')) return 'Vegas (lab)';
  if (name.startsWith('AIMD')) return 'AIMD';
  if (name.includes('(= 2c)')) return 'fixed 2c';
  if (name.includes('(= c)')) return 'fixed c';
  return name;
}

function limiterSpec(file: SweepFile<LimiterCell>): TopLevelSpec {
  const order = [...new Set(file.cells.map((c) => limiterLabel(c.limiter)))];
  const values = file.cells.flatMap((c) => {
    const base = { shape: c.shape, level: `${c.level}× capacity`, limiter: limiterLabel(c.limiter) };
    return [
      { ...base, panel: `1 · goodput %, c = ${c.workers}`, value: c.goodput * 100 },
      { ...base, panel: `2 · p99 ms, c = ${c.workers}`, value: c.p99 },
    ];
  });
  return {
    title: { text: 'Concurrency limiters: goodput and p99 in front of one server of c workers', subtitle: subtitle(file.run) },
    data: { values },
    facet: {
      row: PANEL_ROWS,
      column: shapeColumns(file.cells),
    },
    spec: {
      width: 220,
      height: 140,
      layer: [
        {
          transform: [{ filter: `datum.limiter === 'Gradient2 (default)' && datum.level === '${file.cells[0]!.level}× capacity'` }],
          mark: { type: 'rule', strokeWidth: 30, ...DEFAULT_BAND },
          encoding: { x: { field: 'limiter', type: 'ordinal', sort: order, scale: { padding: 1 } } },
        },
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'limiter', type: 'ordinal', sort: order, title: null, axis: { labelAngle: -35 }, scale: { padding: 1 } },
            y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
            color: { field: 'level', type: 'ordinal', title: 'offered load', scale: { scheme: 'viridis' } },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** The Vega-Lite spec of a sweep's chart, from its JSON. */
export function sweepChartSpec(name: SweepChartName, file: SweepFile<unknown>): TopLevelSpec {
  const spec =
    name === 'hedge-percentile'
      ? hedgeSpec(file as SweepFile<HedgeCell>)
      : name === 'peak-ewma-decay'
        ? decaySpec(file as SweepFile<DecayCell>)
        : limiterSpec(file as SweepFile<LimiterCell>);
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', config: { font: 'sans-serif' }, ...spec };
}

/** Renders a Vega-Lite spec to an SVG string, headless (Vega is loaded here, so that importing this file costs every bench nothing). */
export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(spec as unknown as VegaLiteSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Reads `<dir>/<name>.json` and writes `<dir>/<name>.svg` beside it.
 * @returns the SVG's path relative to the repository (or absolute outside it); `undefined` when writing is off
 */
export async function renderSweepChart(name: SweepChartName): Promise<string | undefined> {
  const dir = sweepDir();
  if (dir === undefined) return undefined;
  const file = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as SweepFile<unknown>;
  const path = join(dir, `${name}.svg`);
  writeFileSync(path, (await toSvg(sweepChartSpec(name, file))) + '\n');
  return repoPath(path);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : [...SWEEP_CHARTS];
  for (const name of names) {
    if (!(SWEEP_CHARTS as readonly string[]).includes(name))
      throw new Error(`no chart "${name}"; expected one of ${SWEEP_CHARTS.join(', ')}`);
    process.stdout.write(`${await renderSweepChart(name as SweepChartName)}\n`);
  }
}
