/**
 * ChaosProxyServer: a Toxiproxy-compatible chaos proxy server — the proxies, their toxics, and
 * the HTTP API (same routes, JSON bodies, status codes and `{"error", "status"}` errors as
 * Toxiproxy's api.go), so `toxiproxy-node-client`, toxiproxy-cli and existing setups work
 * unchanged. Safe by default: the API binds 127.0.0.1; binding elsewhere requires a token
 * (sent as `Authorization: Bearer <token>`, compared in constant time); proxies may only listen
 * on loopback unless a token is set, and only dial loopback upstreams unless `allowUpstreams`
 * names them. Engaging the global kill switch removes every toxic.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import { HeadroomError, type ErrorDetails } from '../../core/errors.js';
import type { Disposable } from '../../core/events.js';
import { defaultRandom, type Random } from '../../core/random.js';
import { chaosOption } from '../errors.js';
import { killSwitch } from '../kill-switch.js';
import { apiErrors, ToxiproxyApiError } from '../proxy/api-error.js';
import { parseToxic, updateToxic, type ToxicSpec } from '../proxy/toxics.js';
import { routeApi } from './proxy-api-routes.js';
import { splitHostPort, TcpChaosProxy, type ProxyState } from './tcp-proxy.js';

/** The Toxiproxy version whose API this server speaks. */
export const TOXIPROXY_API_VERSION = '2.12.0';

/** Options of {@link ChaosProxyServer}. */
export interface ChaosProxyServerOptions {
  /** API host. Default `127.0.0.1`; any other host requires `token`. */
  readonly host?: string;
  /** API port. Default 8474 (Toxiproxy's); 0 picks a free port. */
  readonly port?: number;
  /** Secret every API request must carry as `Authorization: Bearer <token>`. Required off loopback. */
  readonly token?: string;
  /** Non-loopback upstreams proxies may dial (`host:port` or `host`). Default none. */
  readonly allowUpstreams?: readonly string[];
  /** Default: the system clock (toxic timers). */
  readonly clock?: Clock;
  /** Default: seeded from HEADROOM_SEED or entropy (toxicity, jitter, slicer). */
  readonly random?: Random;
}

/** A proxy with its toxics, as the API returns it. */
export interface ProxyWithToxics extends ProxyState {
  readonly toxics: ToxicSpec[];
}

/** The API server refused its options (`HR_CHAOS_TOKEN_REQUIRED`). */
export class TokenRequiredError extends HeadroomError {
  constructor(host: string, details?: ErrorDetails) {
    super(
      'HR_CHAOS_TOKEN_REQUIRED',
      `The chaos proxy API may bind ${host} only with a token: pass token (or --token), or bind 127.0.0.1.`,
      {
        details: { host, ...details },
      },
    );
  }
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * A Toxiproxy-compatible server.
 * @throws HR_CHAOS_TOKEN_REQUIRED when `host` is not loopback and no token is given
 * @example
 * ```ts
 * const server = new ChaosProxyServer({ port: 8474 });
 * await server.start();
 * await server.createProxy({ name: 'redis', listen: '127.0.0.1:26379', upstream: '127.0.0.1:6379' });
 * server.addToxic('redis', { type: 'latency', attributes: { latency: 100 } });
 * ```
 */
export class ChaosProxyServer {
  readonly #host: string;
  readonly #port: number;
  readonly #tokenHash: Buffer | undefined;
  readonly #allow: ReadonlySet<string>;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #proxies = new Map<string, TcpChaosProxy>();
  #http: Server | undefined;
  #offKill: Disposable | undefined;
  #address = '';

  constructor(options: ChaosProxyServerOptions = {}) {
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 8474;
    if (!(Number.isInteger(this.#port) && this.#port >= 0 && this.#port <= 65535))
      throw chaosOption('port', options.port, 'use a port number 0-65535');
    if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 16)) {
      throw chaosOption('token', '<hidden>', 'use a secret of at least 16 characters');
    }
    if (!isLoopbackHost(this.#host) && options.token === undefined) throw new TokenRequiredError(this.#host);
    this.#tokenHash = options.token === undefined ? undefined : sha256(options.token);
    this.#allow = new Set(options.allowUpstreams ?? []);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? defaultRandom();
  }

  /** `host:port` of the API once started. */
  get address(): string {
    return this.#address;
  }

  /** Starts the API; the kill switch is watched from now on. */
  async start(): Promise<void> {
    if (this.#http !== undefined) return;
    const http = createServer((req, res) => void this.#handle(req, res));
    http.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.#port, this.#host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const a = http.address();
    if (a !== null && typeof a === 'object') this.#address = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
    this.#http = http;
    this.#offKill = killSwitch.on((engaged) => {
      if (engaged) this.reset(false);
    });
  }

  /** Stops the API and every proxy (listeners and connections). */
  async stop(): Promise<void> {
    this.#offKill?.dispose();
    this.#offKill = undefined;
    await Promise.all([...this.#proxies.values()].map((p) => p.stop()));
    this.#proxies.clear();
    const http = this.#http;
    this.#http = undefined;
    if (http !== undefined) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  /** Every proxy with its toxics, by name. */
  list(): Record<string, ProxyWithToxics> {
    const out: Record<string, ProxyWithToxics> = {};
    for (const [name, p] of this.#proxies) out[name] = withToxics(p);
    return out;
  }

  /** One proxy. @throws ToxiproxyApiError 404 */
  get(name: string): ProxyWithToxics {
    return withToxics(this.#proxy(name));
  }

  /**
   * Creates a proxy (enabled unless `enabled: false`).
   * @throws ToxiproxyApiError 400 (missing field), 403 (upstream or listen address not allowed), 409 (exists), 500 (cannot listen)
   */
  async createProxy(input: { name?: unknown; listen?: unknown; upstream?: unknown; enabled?: unknown }): Promise<ProxyWithToxics> {
    const { name, listen, upstream, enabled } = this.#checkProxy(input, '');
    if (this.#proxies.has(name)) throw apiErrors.proxyAlreadyExists();
    const proxy = new TcpChaosProxy(name, listen, upstream, this.#clock, this.#random);
    if (enabled) await this.#start(proxy);
    this.#proxies.set(name, proxy);
    return withToxics(proxy);
  }

  /** Creates or replaces proxies in bulk (unchanged ones are kept, toxics and all). @throws ToxiproxyApiError */
  async populate(input: unknown): Promise<ProxyWithToxics[]> {
    if (!Array.isArray(input)) throw apiErrors.badRequestBody('expected a JSON array of proxies');
    const checked = input.map((p: Record<string, unknown>, i) => this.#checkProxy(p ?? {}, ` at proxy ${i + 1}`));
    const out: ProxyWithToxics[] = [];
    for (const p of checked) {
      const existing = this.#proxies.get(p.name);
      if (existing !== undefined) {
        const s = existing.state();
        if (s.upstream === p.upstream && (s.listen === p.listen || sameListen(s.listen, p.listen))) {
          out.push(withToxics(existing));
          continue;
        }
        await existing.stop();
        this.#proxies.delete(p.name);
      }
      const proxy = new TcpChaosProxy(p.name, p.listen, p.upstream, this.#clock, this.#random);
      if (p.enabled) await this.#start(proxy);
      this.#proxies.set(p.name, proxy);
      out.push(withToxics(proxy));
    }
    return out;
  }

  /** Updates listen, upstream or enabled. @throws ToxiproxyApiError */
  async updateProxy(name: string, input: { listen?: unknown; upstream?: unknown; enabled?: unknown }): Promise<ProxyWithToxics> {
    const proxy = this.#proxy(name);
    const s = proxy.state();
    const next = this.#checkProxy(
      { name, listen: input.listen ?? s.listen, upstream: input.upstream ?? s.upstream, enabled: input.enabled ?? s.enabled },
      '',
    );
    try {
      await proxy.update(next);
    } catch (error) {
      throw new ToxiproxyApiError(String((error as Error).message), 500);
    }
    return withToxics(proxy);
  }

  /** Deletes a proxy, closing its connections. @throws ToxiproxyApiError 404 */
  async deleteProxy(name: string): Promise<void> {
    const proxy = this.#proxy(name);
    this.#proxies.delete(name);
    await proxy.stop();
  }

  /** Adds a toxic (Toxiproxy's body). @throws ToxiproxyApiError 400, 404, 409 */
  addToxic(proxyName: string, body: unknown): ToxicSpec {
    const proxy = this.#proxy(proxyName);
    const spec = parseToxic(body);
    if (proxy.toxics().some((t) => t.name === spec.name)) throw apiErrors.toxicAlreadyExists();
    proxy.addToxic(spec);
    return spec;
  }

  /** Updates a toxic's attributes or toxicity. @throws ToxiproxyApiError 400, 404 */
  updateToxic(proxyName: string, toxicName: string, body: unknown): ToxicSpec {
    const proxy = this.#proxy(proxyName);
    const old = proxy.toxics().find((t) => t.name === toxicName);
    if (old === undefined) throw apiErrors.toxicNotFound();
    const spec = updateToxic(old, body);
    proxy.updateToxic(spec);
    return spec;
  }

  /** Removes a toxic. @throws ToxiproxyApiError 404 */
  removeToxic(proxyName: string, toxicName: string): void {
    const proxy = this.#proxy(proxyName);
    if (!proxy.toxics().some((t) => t.name === toxicName)) throw apiErrors.toxicNotFound();
    proxy.removeToxic(toxicName);
  }

  /** The toxics of a proxy. @throws ToxiproxyApiError 404 */
  toxics(proxyName: string): ToxicSpec[] {
    return this.#proxy(proxyName).toxics();
  }

  /** Removes every toxic and (unless `enable` is false) re-enables every proxy, like POST /reset. */
  reset(enable = true): Promise<void> {
    const starts: Promise<void>[] = [];
    for (const p of this.#proxies.values()) {
      p.resetToxics();
      if (enable) starts.push(this.#start(p));
    }
    return Promise.all(starts).then(() => undefined);
  }

  /** Prometheus text of the byte counters (Toxiproxy's metric names). */
  metrics(): string {
    const lines = [
      '# HELP toxiproxy_proxy_received_bytes_total The total bytes received from the source',
      '# TYPE toxiproxy_proxy_received_bytes_total counter',
    ];
    const sent = [
      '# HELP toxiproxy_proxy_sent_bytes_total The total bytes sent to the destination',
      '# TYPE toxiproxy_proxy_sent_bytes_total counter',
    ];
    for (const p of this.#proxies.values()) {
      const s = p.state();
      for (const dir of ['upstream', 'downstream'] as const) {
        const labels = `{direction="${dir}",listener="${s.listen}",proxy="${s.name}",upstream="${s.upstream}"}`;
        lines.push(`toxiproxy_proxy_received_bytes_total${labels} ${p.counters.receivedBytes[dir]}`);
        sent.push(`toxiproxy_proxy_sent_bytes_total${labels} ${p.counters.sentBytes[dir]}`);
      }
    }
    return [...lines, ...sent, ''].join('\n');
  }

  /** True when `header` (an Authorization value) carries the token; always true without a token. */
  authorized(header: string | undefined): boolean {
    if (this.#tokenHash === undefined) return true;
    const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1] ?? '';
    return timingSafeEqual(sha256(given), this.#tokenHash);
  }

  async #start(proxy: TcpChaosProxy): Promise<void> {
    try {
      await proxy.start();
    } catch (error) {
      throw new ToxiproxyApiError(String((error as Error).message), 500);
    }
  }

  #proxy(name: string): TcpChaosProxy {
    const p = this.#proxies.get(name);
    if (p === undefined) throw apiErrors.proxyNotFound();
    return p;
  }

  #checkProxy(input: Record<string, unknown>, where: string): { name: string; listen: string; upstream: string; enabled: boolean } {
    const { name, upstream } = input;
    const listen = input['listen'] ?? '127.0.0.1:0';
    if (typeof name !== 'string' || name === '') throw apiErrors.missingField(`name${where}`);
    if (typeof upstream !== 'string' || upstream === '') throw apiErrors.missingField(`upstream${where}`);
    if (typeof listen !== 'string') throw apiErrors.badRequestBody('listen must be a string');
    const enabled = input['enabled'] ?? true;
    if (typeof enabled !== 'boolean') throw apiErrors.badRequestBody('enabled must be a boolean');
    const up = splitHostPort(upstream);
    if (up === undefined) throw apiErrors.badRequestBody(`upstream ${upstream} must be host:port`);
    if (!isLoopbackHost(up.host) && !this.#allow.has(upstream) && !this.#allow.has(up.host)) throw apiErrors.upstreamNotAllowed(upstream);
    const at = splitHostPort(listen);
    if (at === undefined) throw apiErrors.badRequestBody(`listen ${listen} must be host:port`);
    if (!isLoopbackHost(at.host) && this.#tokenHash === undefined) {
      throw new ToxiproxyApiError(
        `listen address not allowed: ${listen} is not on loopback; start the server with a token to listen elsewhere`,
        403,
      );
    }
    return { name, listen, upstream, enabled };
  }

  /** Handles one API request (see proxy-api-routes.ts). */
  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await routeApi(this, req, res);
  }
}

function withToxics(p: TcpChaosProxy): ProxyWithToxics {
  return { ...p.state(), toxics: p.toxics() };
}

function sameListen(bound: string, asked: string): boolean {
  const a = splitHostPort(bound);
  const b = splitHostPort(asked);
  return (
    a !== undefined &&
    b !== undefined &&
    (b.port === 0 || a.port === b.port) &&
    (a.host === b.host || (isLoopbackHost(a.host) && isLoopbackHost(b.host)))
  );
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
