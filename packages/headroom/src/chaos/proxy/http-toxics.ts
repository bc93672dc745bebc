/**
 * HTTP/1.1-aware toxics (beyond Toxiproxy) on the upstream stream: the stage frames requests
 * (head, then a Content-Length or chunked body) and decides once per request whose path starts
 * with `path_prefix`:
 * - http_status: with `probability`, the request is not forwarded and the client gets `status`;
 * - http_fail_first: the first `count` matching requests (across all connections) get `status`;
 * - http_latency: the request is forwarded after `latency ± jitter` ms.
 * Limits: requests are assumed not pipelined (one in flight per connection, as undici and
 * browsers do by default); after an Upgrade or CONNECT, or a head over 64 KiB, the connection's
 * bytes pass through untouched.
 */
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import { TimedQueue, type Chunk, type Stage, type StageOutput } from './stage.js';

/** State of an HTTP toxic shared by all connections (http_fail_first's count). */
export interface HttpToxicShared {
  failed: number;
}

type Attrs = Readonly<Record<string, number | string>>;
type Action = { readonly kind: 'forward'; readonly atMs: number } | { readonly kind: 'reply'; readonly status: number };

const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

/** Builds the stage of an HTTP toxic. */
export function httpStage(
  type: 'http_status' | 'http_fail_first' | 'http_latency',
  name: string,
  a: Attrs,
  out: StageOutput,
  ctx: { readonly clock: Clock; readonly random: Random; readonly shared: HttpToxicShared },
): Stage {
  const prefix = String(a['path_prefix'] ?? '');
  const decide = (path: string): Action => {
    const now = ctx.clock.now();
    if (!path.startsWith(prefix)) return { kind: 'forward', atMs: now };
    if (type === 'http_status') {
      return ctx.random.chance(Number(a['probability'])) ? { kind: 'reply', status: Number(a['status']) } : { kind: 'forward', atMs: now };
    }
    if (type === 'http_fail_first') {
      if (ctx.shared.failed >= Number(a['count'])) return { kind: 'forward', atMs: now };
      ctx.shared.failed++;
      return { kind: 'reply', status: Number(a['status']) };
    }
    const jitter = Math.trunc(Number(a['jitter']));
    return { kind: 'forward', atMs: now + Number(a['latency']) + (jitter > 0 ? ctx.random.int(2 * jitter) - jitter : 0) };
  };
  return new HttpFramer(ctx.clock, out, name, decide);
}

class HttpFramer implements Stage {
  readonly #queue: TimedQueue;
  readonly #out: StageOutput;
  readonly #rule: string;
  readonly #decide: (path: string) => Action;
  readonly #clock: Clock;
  #buffer: Buffer = Buffer.alloc(0);
  #state: 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'trailer' | 'opaque' = 'head';
  #remaining = 0;
  #action: Action = { kind: 'forward', atMs: 0 };
  #atMs = 0;

  constructor(clock: Clock, out: StageOutput, rule: string, decide: (path: string) => Action) {
    this.#clock = clock;
    this.#queue = new TimedQueue(clock, out);
    this.#out = out;
    this.#rule = rule;
    this.#decide = decide;
  }

  write(chunk: Chunk): void {
    this.#atMs = chunk.atMs;
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk.data) : Buffer.concat([this.#buffer, chunk.data]);
    this.#parse();
  }

  end(): void {
    if (this.#buffer.length > 0) this.#emit(this.#buffer);
    this.#buffer = Buffer.alloc(0);
    this.#queue.end();
  }

  detach(): void {
    if (this.#buffer.length > 0) this.#out.data({ data: this.#buffer, atMs: this.#atMs });
    this.#buffer = Buffer.alloc(0);
    this.#queue.flush();
  }

  #parse(): void {
    for (;;) {
      const buf = this.#buffer;
      if (buf.length === 0) return;
      switch (this.#state) {
        case 'opaque':
          this.#take(buf.length);
          return;
        case 'head': {
          const end = buf.indexOf(HEAD_END);
          if (end === -1) {
            if (buf.length > MAX_HEAD_BYTES) this.#state = 'opaque';
            else return;
            continue;
          }
          this.#startRequest(buf.subarray(0, end).toString('latin1'));
          this.#take(end + 4);
          if (this.#state === 'head') this.#finishRequest();
          continue;
        }
        case 'body': {
          const n = Math.min(this.#remaining, buf.length);
          this.#take(n);
          this.#remaining -= n;
          if (this.#remaining === 0) {
            this.#state = 'head';
            this.#finishRequest();
          }
          continue;
        }
        case 'chunk-size':
        case 'trailer': {
          const eol = buf.indexOf(CRLF);
          if (eol === -1) return;
          const line = buf.subarray(0, eol).toString('latin1');
          this.#take(eol + 2);
          if (this.#state === 'trailer') {
            if (line === '') {
              this.#state = 'head';
              this.#finishRequest();
            }
            continue;
          }
          const size = parseInt(line.split(';')[0]!.trim(), 16);
          if (!Number.isFinite(size)) this.#state = 'opaque';
          else if (size === 0) this.#state = 'trailer';
          else {
            this.#state = 'chunk-data';
            this.#remaining = size + 2;
          }
          continue;
        }
        case 'chunk-data': {
          const n = Math.min(this.#remaining, buf.length);
          this.#take(n);
          this.#remaining -= n;
          if (this.#remaining === 0) this.#state = 'chunk-size';
          continue;
        }
      }
    }
  }

  #startRequest(head: string): void {
    const lines = head.split('\r\n');
    const [method = '', target = '/'] = lines[0]!.split(' ');
    let length = 0;
    let chunked = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const field = line.slice(0, colon).trim().toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (field === 'content-length') length = Number(value) || 0;
      if (field === 'transfer-encoding' && value.includes('chunked')) chunked = true;
    }
    const q = target.indexOf('?');
    this.#action = this.#decide(q === -1 ? target : target.slice(0, q));
    if (method === 'CONNECT' || /\r\nupgrade:/i.test(`\r\n${lines.slice(1).join('\r\n')}`)) this.#state = 'opaque';
    else if (chunked) this.#state = 'chunk-size';
    else if (length > 0) {
      this.#state = 'body';
      this.#remaining = length;
    }
  }

  #finishRequest(): void {
    const action = this.#action;
    if (action.kind !== 'reply') return;
    const body = `Injected HTTP ${action.status} (${this.#rule})\n`;
    const head = `HTTP/1.1 ${action.status} Injected\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-headroom-chaos: ${this.#rule}\r\n\r\n`;
    this.#out.reply(Buffer.from(head + body));
    this.#action = { kind: 'forward', atMs: this.#clock.now() };
  }

  /** Moves `n` bytes of the current request out of the buffer: forwarded (maybe delayed) or dropped. */
  #take(n: number): void {
    const bytes = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    if (this.#action.kind === 'forward') this.#emit(bytes, this.#action.atMs);
  }

  #emit(bytes: Uint8Array, atMs = this.#clock.now()): void {
    this.#queue.push({ data: bytes, atMs: this.#atMs }, atMs);
  }
}
