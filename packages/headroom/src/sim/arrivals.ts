/**
 * Open-loop arrivals: a rate schedule (fixed, a Markov-modulated chain of states, or a recorded
 * piecewise-constant timeline) and evenly spaced or Poisson arrivals at the current rate. When the
 * rate changes, the pending Poisson arrival is redrawn at the new rate — exact, because
 * exponential gaps are memoryless.
 */
import { parseDuration } from '../core/duration.js';
import type { Random } from '../core/random.js';
import type { SimEngine, SimHandler } from './engine.js';
import { invalidOption } from './errors.js';
import type { ArrivalSpec } from './model-spec.js';

const ARRIVE = 1;
const SWITCH = 2;

/** Generates arrivals until `endMs`, calling `onArrival(index)` for each. */
export class Arrivals implements SimHandler {
  #ratePerMs = 0;
  #pending = -1;
  #state = 0;
  #count = 0;
  #lastAt: number;
  readonly #poisson: boolean;

  constructor(
    readonly spec: ArrivalSpec,
    readonly engine: SimEngine,
    readonly random: Random,
    readonly endMs: number,
    readonly onArrival: (index: number) => void,
  ) {
    this.#lastAt = engine.now;
    this.#poisson = spec.type !== 'constant' && !(spec.type === 'timeline' && spec.poisson === false);
    switch (spec.type) {
      case 'poisson':
      case 'constant':
        this.#setRate(rate('arrivals.ratePerSec', spec.ratePerSec));
        break;
      case 'mmpp':
        if (!Array.isArray(spec.states) || spec.states.length === 0)
          throw invalidOption('arrivals.states', spec.states, 'use a non-empty list of { ratePerSec, meanDuration }');
        spec.states.forEach((s, i) => {
          rate(`arrivals.states.${i}.ratePerSec`, s.ratePerSec);
          if (!(parseDuration(s.meanDuration, `arrivals.states.${i}.meanDuration`) > 0))
            throw invalidOption(`arrivals.states.${i}.meanDuration`, s.meanDuration, "use a positive duration, e.g. '1s'");
        });
        this.#enterState(0);
        break;
      case 'timeline':
        if (!Array.isArray(spec.points) || spec.points.length === 0)
          throw invalidOption('arrivals.points', spec.points, 'use a non-empty list of [atMs, ratePerSec], the first at 0');
        spec.points.forEach((p, i) => {
          if (!(Array.isArray(p) && p.length === 2 && p[0] >= (i === 0 ? 0 : spec.points[i - 1]![0])))
            throw invalidOption(`arrivals.points.${i}`, p, 'use [atMs, ratePerSec] with atMs increasing');
          rate(`arrivals.points.${i}.1`, p[1]);
        });
        for (let i = 0; i < spec.points.length; i++) engine.at(engine.now + spec.points[i]![0], this, SWITCH, i);
        break;
      default:
        throw invalidOption('arrivals.type', (spec as { type?: unknown }).type, 'use poisson, constant, mmpp or timeline');
    }
  }

  /** Arrivals so far. */
  get count(): number {
    return this.#count;
  }

  handle(kind: number, arg: number): void {
    if (kind === ARRIVE) {
      this.#pending = -1;
      this.#lastAt = this.engine.now;
      if (this.engine.now >= this.endMs) return;
      this.#schedule();
      this.onArrival(this.#count++);
    } else if (this.spec.type === 'mmpp') {
      this.#enterState((this.#state + 1) % this.spec.states.length);
    } else if (this.spec.type === 'timeline') {
      this.#setRate(this.spec.points[arg]![1] / 1000);
    }
  }

  #enterState(i: number): void {
    if (this.spec.type !== 'mmpp') return;
    this.#state = i;
    const s = this.spec.states[i]!;
    this.#setRate(s.ratePerSec / 1000);
    this.engine.after(-Math.log(1 - this.random.next()) * parseDuration(s.meanDuration, 'arrivals.meanDuration'), this, SWITCH, 0);
  }

  #setRate(perMs: number): void {
    this.#ratePerMs = perMs;
    if (this.#pending >= 0) this.engine.cancel(this.#pending);
    this.#pending = -1;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#ratePerMs <= 0 || this.#pending >= 0) return;
    const now = this.engine.now;
    const gap = this.#poisson ? -Math.log(1 - this.random.next()) / this.#ratePerMs : 1 / this.#ratePerMs;
    // Evenly spaced arrivals keep their phase across a rate change: the next one is due a gap after the last.
    const at = this.#poisson ? now + gap : Math.max(now, this.#lastAt + gap);
    if (at < this.endMs) this.#pending = this.engine.at(at, this, ARRIVE, 0);
  }
}

function rate(path: string, v: number): number {
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v)))
    throw invalidOption(path, v, 'use a non-negative rate per second, e.g. 1000');
  return v / 1000;
}
