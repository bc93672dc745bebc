// Real TCP peers for the proxy tests: an echo server, a server that sends N bytes then closes,
// and a client that records what it receives and how the connection ended.
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';

export interface Peer {
  readonly address: string;
  close(): Promise<void>;
}

async function serve(handler: (s: Socket) => void): Promise<Peer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    handler(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echoes every byte back. */
export function echoServer(): Promise<Peer> {
  return serve((s) => s.pipe(s));
}

/** Sends `bytes` bytes (a repeating 0..250 pattern), then ends. */
export function sendingServer(bytes: number): Promise<Peer> {
  return serve((s) => {
    const data = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) data[i] = i % 251;
    s.end(data);
  });
}

export interface Received {
  readonly chunks: Buffer[];
  readonly bytes: number;
  /** ms from connect to the first byte / to the close. */
  readonly firstByteMs: number | undefined;
  readonly closedMs: number;
  readonly error: string | undefined;
}

/**
 * Connects, optionally writes `send`, and collects everything until the connection closes (or
 * `maxMs`, or once `untilBytes` bytes came: then it is closed from this side).
 */
export function receive(address: string, options: { send?: Buffer | string; maxMs?: number; untilBytes?: number } = {}): Promise<Received> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const start = performance.now();
    const chunks: Buffer[] = [];
    let got = 0;
    let firstByteMs: number | undefined;
    let error: string | undefined;
    const socket = connect({ host, port: Number(port) }, () => {
      if (options.send !== undefined) socket.write(options.send);
    });
    const timer = setTimeout(() => socket.destroy(new Error('TEST_MAX')), options.maxMs ?? 10_000);
    socket.on('data', (d: Buffer) => {
      firstByteMs ??= performance.now() - start;
      chunks.push(d);
      got += d.length;
      if (options.untilBytes !== undefined && got >= options.untilBytes) socket.destroy();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ chunks, bytes: got, firstByteMs, closedMs: performance.now() - start, error });
    });
  });
}
