/**
 * A ToxicLink: the chain of toxic stages on one direction of one proxied connection, like
 * Toxiproxy's link.go. Bytes read from the source go through the stages in the order the toxics
 * were added, then to the sink (the other socket). Toxics can be added, updated and removed while
 * the connection runs: a removed or replaced stage hands on what it held, so no byte is lost.
 * Each toxic's toxicity is drawn once per connection (and again when the toxic is updated).
 * No sockets here: the adapter gives the sink.
 */
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import { httpStage, type HttpToxicShared } from './http-toxics.js';
import { passThrough, type Chunk, type Stage, type StageOutput } from './stage.js';
import { tcpStage } from './tcp-toxics.js';
import { isHttpToxic, type ToxicSpec } from './toxics.js';

/** Where a link delivers: the destination socket, and the whole connection for close and reset. */
export type LinkSink = StageOutput;

/** What a link needs from its proxy. */
export interface LinkContext {
  readonly clock: Clock;
  readonly random: Random;
  /** State an HTTP toxic shares across connections, by toxic name. */
  readonly shared: (toxic: string) => HttpToxicShared;
}

interface Entry {
  spec: ToxicSpec;
  stage: Stage;
}

/** One direction's chain of toxics on one connection. */
export class ToxicLink {
  readonly #sink: LinkSink;
  readonly #ctx: LinkContext;
  readonly #entries: Entry[] = [];
  readonly #state = new Map<string, Record<string, number>>();

  constructor(toxics: readonly ToxicSpec[], sink: LinkSink, ctx: LinkContext) {
    this.#sink = sink;
    this.#ctx = ctx;
    for (const spec of toxics) this.add(spec);
  }

  /** Bytes read from the source at `atMs`. */
  write(data: Uint8Array, atMs: number): void {
    const chunk: Chunk = { data, atMs };
    const first = this.#entries[0];
    if (first === undefined) this.#sink.data(chunk);
    else first.stage.write(chunk);
  }

  /** The source ended (EOF). */
  end(): void {
    const first = this.#entries[0];
    if (first === undefined) this.#sink.end();
    else first.stage.end();
  }

  /** Appends a toxic at the end of the chain. */
  add(spec: ToxicSpec): void {
    const entry = { spec } as Entry;
    entry.stage = this.#build(spec, entry);
    this.#entries.push(entry);
  }

  /** Replaces a toxic's attributes or toxicity (its held data moves on; limit_data keeps its count). */
  update(spec: ToxicSpec): void {
    const entry = this.#entries.find((e) => e.spec.name === spec.name);
    if (entry === undefined) return;
    const old = entry.stage;
    old.detach();
    entry.spec = spec;
    entry.stage = this.#build(spec, entry);
  }

  /** Removes a toxic; what it held moves on at once. */
  remove(name: string): void {
    const i = this.#entries.findIndex((e) => e.spec.name === name);
    if (i === -1) return;
    this.#entries[i]!.stage.detach();
    this.#entries.splice(i, 1);
  }

  /** Removes every toxic. */
  clear(): void {
    while (this.#entries.length > 0) this.remove(this.#entries[0]!.spec.name);
  }

  /** Names of the toxics in the chain, in order. */
  get toxics(): string[] {
    return this.#entries.map((e) => e.spec.name);
  }

  #build(spec: ToxicSpec, entry: Entry): Stage {
    const out = this.#output(entry);
    if (!this.#ctx.random.chance(spec.toxicity) && spec.toxicity < 1) return passThrough(out);
    if (isHttpToxic(spec.type)) {
      return httpStage(spec.type as 'http_status', spec.name, spec.attributes, out, {
        clock: this.#ctx.clock,
        random: this.#ctx.random,
        shared: this.#ctx.shared(spec.name),
      });
    }
    let state = this.#state.get(spec.name);
    if (state === undefined) this.#state.set(spec.name, (state = {}));
    return tcpStage(spec.type, spec.attributes, out, { clock: this.#ctx.clock, random: this.#ctx.random, state }) ?? passThrough(out);
  }

  /** The output of `entry`'s stage: the next stage in the chain at the time of the call, or the sink. */
  #output(entry: Entry): StageOutput {
    const next = (): { write(c: Chunk): void; end(): void } | undefined => {
      const i = this.#entries.indexOf(entry);
      if (i === -1) return undefined; // removed: nothing more comes from it
      const after = this.#entries[i + 1];
      return after === undefined ? { write: (c) => this.#sink.data(c), end: () => this.#sink.end() } : after.stage;
    };
    return {
      data: (c) => next()?.write(c),
      end: () => next()?.end(),
      close: () => this.#sink.close(),
      reset: () => this.#sink.reset(),
      reply: (d) => this.#sink.reply(d),
    };
  }
}
