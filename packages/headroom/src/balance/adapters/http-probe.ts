/**
 * An HTTP health probe for string balancers whose targets are origins: `GET <origin><path>`
 * through undici, healthy when the status matches (default 2xx). The response body is drained
 * so the connection is reused; the probe's signal aborts the request at the timeout. undici is
 * the user's (an optional peer), loaded when the probe is built.
 */
import type * as Undici from 'undici';
import { HeadroomError } from '../../core/errors.js';
import { loadPeer } from '../../core/peer.js';
import type { Endpoint } from '../endpoint.js';
import type { Probe } from '../health/active.js';
import { invalidOption } from '../options.js';

/** Options of {@link httpProbe}. */
export interface HttpProbeOptions {
  /** Path (and query) to request on each origin; default `'/health'`. */
  readonly path?: string;
  /** Which statuses mean healthy; default 200–299. */
  readonly isHealthyStatus?: (status: number) => boolean;
  /** Extra request headers (e.g. a probe user-agent). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Dispatcher for probe requests; default undici's global dispatcher. */
  readonly dispatcher?: Undici.Dispatcher;
}

/**
 * Builds an HTTP probe for `health.probe`.
 * @throws HR_BALANCE_INVALID_OPTION when `path` does not start with `/`; HR_CORE_PEER_MISSING
 * when `undici` is not installed
 * @example new Balancer({ endpoints: origins, health: { probe: httpProbe({ path: '/healthz' }), interval: '5s' } })
 */
export function httpProbe(options: HttpProbeOptions = {}): Probe<string> {
  const path = options.path ?? '/health';
  if (!path.startsWith('/')) throw invalidOption('httpProbe.path', path, "use an absolute path such as '/health'");
  const isHealthy = options.isHealthyStatus ?? ((status: number) => status >= 200 && status < 300);
  const headers = options.headers ?? {};
  const { request } = loadPeer<typeof Undici>('undici', 'httpProbe');
  return async (endpoint: Endpoint<string>, signal: AbortSignal) => {
    const response = await request(new URL(path, endpoint.target), {
      method: 'GET',
      headers,
      signal,
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
    await response.body.dump();
    if (!isHealthy(response.statusCode)) {
      throw new HeadroomError('HR_BALANCE_PROBE_FAILED', `Health probe GET ${path} on "${endpoint.id}" answered ${response.statusCode}.`, {
        details: { id: endpoint.id, path, status: response.statusCode },
      });
    }
  };
}
