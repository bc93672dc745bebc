/**
 * The byte-stream toxics, each a {@link Stage} on one direction of one connection, following
 * Toxiproxy's semantics (toxics/*.go) on the injected clock and random:
 * - latency: each chunk waits `latency ± jitter` ms from when it was read; order is kept.
 * - bandwidth: at most `rate` KB/s (bytes per ms); chunks over 100 ms worth are split.
 * - slow_close: the end of input is held `delay` ms.
 * - timeout: data is dropped; the connection closes after `timeout` ms (0: never, until removed —
 *   removing the toxic closes it, as Toxiproxy's Cleanup does).
 * - reset_peer: on the first data (or EOF), wait `timeout` ms, then reset the connection (RST).
 * - slicer: each chunk is cut in halves recursively until pieces are `average_size ±
 *   size_variation` bytes, sent `delay` µs apart.
 * - limit_data: after `bytes` bytes in this direction, the connection closes.
 * - loss: a chunk is "lost" with `probability`; like TCP, the stream then stalls for a
 *   retransmission timeout `rto` ms, doubling while losses repeat.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import { TimedQueue, passThrough, type Chunk, type Stage, type StageOutput } from './stage.js';

/** What a stage is built from. */
export interface StageContext {
  readonly clock: Clock;
  readonly random: Random;
  /** State that survives updates of this toxic on this connection (limit_data's count). */
  readonly state: Record<string, number>;
}

type Attrs = Readonly<Record<string, number | string>>;

const num = (a: Attrs, k: string): number => Number(a[k] ?? 0);

/** Builds the stage of a byte-stream toxic type, or `undefined` for an unknown type. */
export function tcpStage(type: string, a: Attrs, out: StageOutput, ctx: StageContext): Stage | undefined {
  switch (type) {
    case 'noop':
      return passThrough(out);
    case 'latency':
      return latency(a, out, ctx);
    case 'bandwidth':
      return bandwidth(a, out, ctx);
    case 'slow_close':
      return slowClose(a, out, ctx);
    case 'timeout':
      return timeout(a, out, ctx);
    case 'reset_peer':
      return resetPeer(a, out, ctx);
    case 'slicer':
      return slicer(a, out, ctx);
    case 'limit_data':
      return limitData(a, out, ctx);
    case 'loss':
      return loss(a, out, ctx);
    default:
      return undefined;
  }
}

function latency(a: Attrs, out: StageOutput, { clock, random }: StageContext): Stage {
  const base = num(a, 'latency');
  const jitter = Math.trunc(num(a, 'jitter'));
  const q = new TimedQueue(clock, out);
  // Go: delay += rand.Int63n(2·jitter) − jitter, whole milliseconds.
  const delay = (): number => base + (jitter > 0 ? random.int(2 * jitter) - jitter : 0);
  return { write: (c) => q.push(c, c.atMs + delay()), end: () => q.end(), detach: () => q.flush() };
}

function bandwidth(a: Attrs, out: StageOutput, { clock }: StageContext): Stage {
  const rate = num(a, 'rate'); // KB/s = bytes per ms
  if (rate <= 0) return passThrough(out);
  const q = new TimedQueue(clock, out);
  const piece = Math.max(1, Math.floor(rate * 100));
  return {
    write: (c) => {
      for (let i = 0; i < c.data.length; i += piece) {
        const data = c.data.subarray(i, i + piece);
        const start = Math.max(clock.now(), q.lastAtMs);
        q.push({ data, atMs: c.atMs }, start + data.length / rate);
      }
    },
    end: () => q.end(),
    detach: () => q.flush(),
  };
}

function slowClose(a: Attrs, out: StageOutput, { clock }: StageContext): Stage {
  let timer: TimerHandle | undefined;
  return {
    write: (c) => out.data(c),
    end: () => {
      timer = clock.setTimer(num(a, 'delay'), () => {
        timer = undefined;
        out.end();
      });
    },
    detach: () => {
      if (timer === undefined) return;
      timer.cancel();
      timer = undefined;
      out.end();
    },
  };
}

function timeout(a: Attrs, out: StageOutput, { clock }: StageContext): Stage {
  const ms = num(a, 'timeout');
  const timer = ms > 0 ? clock.setTimer(ms, () => out.close()) : undefined;
  return {
    write: () => undefined,
    end: () => {
      timer?.cancel();
      out.end();
    },
    detach: () => {
      timer?.cancel();
      out.close();
    },
  };
}

function resetPeer(a: Attrs, out: StageOutput, { clock }: StageContext): Stage {
  let timer: TimerHandle | undefined;
  const trigger = (): void => {
    timer ??= clock.setTimer(num(a, 'timeout'), () => out.reset());
  };
  return {
    write: trigger,
    end: trigger,
    detach: () => timer?.cancel(),
  };
}

/** Toxiproxy's slicer split (SlicerToxic.chunk): boundaries as [start, end, start, end, ...]. */
export function sliceBounds(start: number, end: number, average: number, variation: number, random: Random): number[] {
  if (end - start - average <= variation) return [start, end];
  let mid = start + Math.floor((end - start) / 2);
  if (variation > 0) mid += random.int(variation * 2) - variation;
  return [...sliceBounds(start, mid, average, variation, random), ...sliceBounds(mid, end, average, variation, random)];
}

function slicer(a: Attrs, out: StageOutput, { clock, random }: StageContext): Stage {
  const average = Math.trunc(num(a, 'average_size'));
  const variation = Math.trunc(num(a, 'size_variation'));
  const gapMs = num(a, 'delay') / 1000;
  const q = new TimedQueue(clock, out);
  let busyUntil = -Infinity;
  return {
    write: (c) => {
      const bounds = sliceBounds(0, c.data.length, average, variation, random);
      let at = Math.max(clock.now(), busyUntil);
      for (let i = 1; i < bounds.length; i += 2) {
        q.push({ data: c.data.subarray(bounds[i - 1]!, bounds[i]!), atMs: c.atMs }, at);
        at += gapMs;
      }
      busyUntil = at;
    },
    end: () => q.end(),
    detach: () => q.flush(),
  };
}

function limitData(a: Attrs, out: StageOutput, { state }: StageContext): Stage {
  const limit = num(a, 'bytes');
  let closed = false;
  const sent = (): number => state['bytesTransmitted'] ?? 0;
  return {
    write: (c) => {
      if (closed) return;
      const remaining = Math.max(0, limit - sent());
      const data = remaining < c.data.length ? c.data.subarray(0, remaining) : c.data;
      if (data.length > 0) {
        state['bytesTransmitted'] = sent() + data.length;
        out.data(data === c.data ? c : { data, atMs: c.atMs });
      }
      if (limit - sent() <= 0) {
        closed = true;
        out.close();
      }
    },
    end: () => {
      if (!closed) out.end();
    },
    detach: () => undefined,
  };
}

function loss(a: Attrs, out: StageOutput, { clock, random }: StageContext): Stage {
  const p = num(a, 'probability');
  const rto = num(a, 'rto');
  const q = new TimedQueue(clock, out);
  let streak = 0;
  return {
    write: (c: Chunk) => {
      let stall = 0;
      // Each retransmission may be lost again, doubling the timeout (RFC 6298 §5.5).
      while (random.chance(p) && streak < 10) stall += rto * 2 ** streak++;
      if (stall === 0) streak = 0;
      q.push(c, Math.max(clock.now(), q.lastAtMs) + stall);
    },
    end: () => q.end(),
    detach: () => q.flush(),
  };
}
