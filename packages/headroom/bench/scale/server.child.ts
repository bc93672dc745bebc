// A minimal HTTP server in its own process for the scale benches: prints its port, answers "ok" at
// once until killed. With `stall`, it answers nothing for 1 s every 10 s (the responses due then are
// held and sent when the stall ends): the coordinated-omission ground truth of accuracy.bench.ts.
import { createServer, type ServerResponse } from 'node:http';

const stall = process.argv[2] === 'stall';
const PERIOD_MS = 10_000;
const STALL_MS = 1_000;
const held: ServerResponse[] = [];
let stalled = false;

const server = createServer((_req, res) => {
  if (stalled) held.push(res);
  else res.end('ok');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`${typeof a === 'object' && a !== null ? a.port : 0}\n`);
  if (!stall) return;
  // Stall for the last second of every 10 s period, starting from now.
  setInterval(() => {
    stalled = true;
    setTimeout(() => {
      stalled = false;
      for (const res of held.splice(0)) res.end('ok');
    }, STALL_MS);
  }, PERIOD_MS).unref();
});
