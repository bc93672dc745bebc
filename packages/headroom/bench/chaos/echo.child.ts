// An echo server in its own process for proxy-overhead.bench.ts: prints its port, echoes until killed.
import { createServer } from 'node:net';

const server = createServer({ noDelay: true }, (s) => {
  s.on('error', () => undefined);
  s.pipe(s);
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`${typeof a === 'object' && a !== null ? a.port : 0}\n`);
});
