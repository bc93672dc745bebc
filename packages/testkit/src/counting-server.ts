/**
 * A real loopback HTTP server that answers every request `200 ok` and counts the requests it
 * served: for tests that check a load generator's own count against the server's. The count only
 * grows, so a test reads it before and after its run and compares the difference.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running {@link startCountingServer}. */
export interface CountingServer {
  /** `http://127.0.0.1:<port>/` (a free port the OS picked). */
  readonly url: string;
  /** Requests answered since it started. */
  readonly served: number;
  /** Stops listening and waits for open connections to end. */
  close(): Promise<void>;
}

/** Starts a {@link CountingServer} on a free loopback port. */
export async function startCountingServer(): Promise<CountingServer> {
  let served = 0;
  const server = createServer((_req, res) => {
    served++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    get served() {
      return served;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
