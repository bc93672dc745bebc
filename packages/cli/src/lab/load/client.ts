/**
 * HTTP clients for the replicas: one undici Pool per replica, with enough connections that the
 * open-loop generator is never throttled by the client (a capped pool would quietly turn the
 * open loop back into a closed one). Bodies are drained, never buffered.
 */
import { Pool } from 'undici';
import type { ReplicaEndpoint } from '../service/fleet.js';

/** One request the generator sends. */
export interface RequestPlan {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** JSON body for POST, else null. */
  readonly body: string | null;
  /** The product the request is about (the affinity key). */
  readonly key: string;
}

/** Sends `plan` to one replica with extra `headers` and resolves with the HTTP status. */
export type SendTo = (replica: number, plan: RequestPlan, signal: AbortSignal, headers: Record<string, string>) => Promise<number>;

/** Keep-alive pools to every replica. */
export class ReplicaClients {
  readonly #pools: Pool[];
  #attempts = 0;
  #connections = 0;

  /**
   * @param endpoints - the replicas, in index order
   * @param connections - connections per replica (default 128)
   */
  constructor(endpoints: readonly ReplicaEndpoint[], connections = 128) {
    this.#pools = endpoints.map((e) => new Pool(e.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 }));
    for (const pool of this.#pools) pool.on('connect', () => this.#connections++);
  }

  /** HTTP attempts sent so far (hedges and retries included). */
  get attempts(): number {
    return this.#attempts;
  }

  /**
   * TCP connections the pools have opened so far. Over HTTP/1.1 a request cancelled while it is
   * on the wire (a hedge's loser, a passed deadline) takes its connection with it — undici closes
   * the socket, there being no other way to stop the answer — so the next request opens a new one.
   */
  get connections(): number {
    return this.#connections;
  }

  /** Sends one request to replica `index` (see {@link SendTo}). */
  readonly send: SendTo = async (index, plan, signal, headers) => {
    this.#attempts++;
    if (plan.body !== null) headers['content-type'] = 'application/json';
    const { statusCode, body } = await this.#pools[index]!.request({
      method: plan.method,
      path: plan.path,
      signal,
      headers,
      ...(plan.body === null ? {} : { body: plan.body }),
    });
    await body.dump();
    return statusCode;
  };

  /** Closes every pool (in-flight requests are destroyed). */
  async close(): Promise<void> {
    await Promise.all(this.#pools.map((p) => p.destroy()));
  }
}
