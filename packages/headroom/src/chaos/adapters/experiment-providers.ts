/**
 * The real providers of experiment activities: HTTP probes (global fetch), processes
 * (child_process.execFile), a Toxiproxy-compatible API (ours or Toxiproxy's) and the live `load`
 * probe that sends requests at a fixed rate for the whole run and reports the error rate and
 * latency percentiles over a sliding window.
 */
import { execFile } from 'node:child_process';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { parseDuration } from '../../core/duration.js';
import type { LiveProbe, ProviderRunner } from '../experiment/run.js';
import type { Provider } from '../experiment/types.js';

/** Options of {@link realProviders}. */
export interface RealProvidersOptions {
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default Toxiproxy API when a provider names none. Default `http://127.0.0.1:8474`. */
  readonly toxiproxyApi?: string;
  /** Bearer token for the proxy API (e.g. from HEADROOM_CHAOS_TOKEN). */
  readonly token?: string;
}

const BODY_LIMIT = 2_000;

/** Providers that do real I/O. */
export function realProviders(options: RealProvidersOptions = {}): ProviderRunner {
  const clock = options.clock ?? systemClock;
  const defaultApi = options.toxiproxyApi ?? 'http://127.0.0.1:8474';
  const auth: Record<string, string> = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
  return {
    async call(provider: Provider, signal: AbortSignal): Promise<unknown> {
      switch (provider.type) {
        case 'http': {
          const start = clock.now();
          const timeout = provider.timeout === undefined ? undefined : AbortSignal.timeout(parseDuration(provider.timeout, 'timeout'));
          const res = await fetch(provider.url, {
            method: provider.method ?? 'GET',
            ...(provider.headers === undefined ? {} : { headers: provider.headers }),
            ...(provider.body === undefined ? {} : { body: provider.body }),
            signal: timeout === undefined ? signal : AbortSignal.any([signal, timeout]),
          });
          const body = await res.text();
          return { status: res.status, body: body.slice(0, BODY_LIMIT), latencyMs: clock.now() - start };
        }
        case 'process':
          return new Promise((resolve, reject) => {
            execFile(
              provider.path,
              [...(provider.arguments ?? [])],
              { signal, timeout: provider.timeout === undefined ? 0 : parseDuration(provider.timeout, 'timeout'), maxBuffer: 1 << 20 },
              (error, stdout, stderr) => {
                const code = (error as { code?: unknown } | null)?.code;
                if (error !== null && typeof code !== 'number') reject(error);
                else
                  resolve({
                    status: typeof code === 'number' ? code : 0,
                    stdout: stdout.slice(0, BODY_LIMIT),
                    stderr: stderr.slice(0, BODY_LIMIT),
                  });
              },
            );
          });
        case 'toxiproxy': {
          const api = (provider.api ?? defaultApi).replace(/\/$/, '');
          const proxy = encodeURIComponent(provider.proxy ?? '');
          const toxicName = encodeURIComponent(provider.name ?? String(provider.toxic?.['name'] ?? ''));
          const [method, path, body] = ((): [string, string, unknown] => {
            switch (provider.op) {
              case 'create':
                return [
                  'POST',
                  '/proxies',
                  { name: provider.proxy, upstream: provider.upstream, listen: provider.listen ?? '127.0.0.1:0' },
                ];
              case 'delete':
                return ['DELETE', `/proxies/${proxy}`, undefined];
              case 'add':
                return ['POST', `/proxies/${proxy}/toxics`, provider.toxic];
              case 'update':
                return ['POST', `/proxies/${proxy}/toxics/${toxicName}`, provider.toxic];
              case 'remove':
                return ['DELETE', `/proxies/${proxy}/toxics/${toxicName}`, undefined];
              case 'reset':
                return ['POST', '/reset', undefined];
            }
          })();
          const res = await fetch(`${api}${path}`, {
            method,
            headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            signal,
          });
          const text = await res.text();
          if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.trim()}`);
          return text === '' ? { status: res.status } : (JSON.parse(text) as unknown);
        }
        case 'load':
          throw new Error("a 'load' probe is live: it is started with the run, not called");
      }
    },
    live(provider: Provider): LiveProbe {
      if (provider.type !== 'load') throw new Error('only load probes are live');
      return new LoadProbe(provider, clock);
    },
  };
}

interface Outcome {
  readonly atMs: number;
  readonly ok: boolean;
  readonly latencyMs: number;
}

/** Sends GETs at a fixed rate and summarises the last `window`. */
class LoadProbe implements LiveProbe {
  readonly #clock: Clock;
  readonly #url: string;
  readonly #gapMs: number;
  readonly #windowMs: number;
  readonly #timeoutMs: number;
  readonly #results: Outcome[] = [];
  readonly #inflight = new Set<Promise<void>>();
  #timer: TimerHandle | undefined;
  #next: number;
  #stopped = false;

  constructor(p: Extract<Provider, { type: 'load' }>, clock: Clock) {
    this.#clock = clock;
    this.#url = p.url;
    this.#gapMs = 1000 / p.rate;
    this.#windowMs = p.window === undefined ? 5_000 : parseDuration(p.window, 'window');
    this.#timeoutMs = p.timeout === undefined ? 2_000 : parseDuration(p.timeout, 'timeout');
    this.#next = clock.now();
    this.#tick();
  }

  read(): unknown {
    const since = this.#clock.now() - this.#windowMs;
    while (this.#results.length > 0 && this.#results[0]!.atMs < since - this.#windowMs) this.#results.shift();
    const recent = this.#results.filter((r) => r.atMs >= since);
    const latencies = recent.map((r) => r.latencyMs).sort((a, b) => a - b);
    const q = (p: number): number =>
      latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    const errors = recent.filter((r) => !r.ok).length;
    return { count: recent.length, errorRate: recent.length === 0 ? 0 : errors / recent.length, p50Ms: q(0.5), p99Ms: q(0.99) };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await Promise.all(this.#inflight);
  }

  #tick(): void {
    if (this.#stopped) return;
    const now = this.#clock.now();
    // Open loop: requests go out on schedule, whatever the answers do (no coordinated omission).
    while (this.#next <= now) {
      this.#next += this.#gapMs;
      this.#send(this.#next - this.#gapMs);
    }
    this.#timer = this.#clock.setTimer(this.#next - now, () => this.#tick());
  }

  #send(intendedMs: number): void {
    const done = fetch(this.#url, { signal: AbortSignal.timeout(this.#timeoutMs) })
      .then(
        async (res) => {
          await res.arrayBuffer();
          return res.status < 500;
        },
        () => false,
      )
      .then((ok) => {
        const now = this.#clock.now();
        this.#results.push({ atMs: now, ok, latencyMs: now - intendedMs });
      })
      .finally(() => this.#inflight.delete(done));
    this.#inflight.add(done);
  }
}
