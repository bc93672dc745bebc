/**
 * The chaos scenario's Redis proxy in its own process (forked by proxy-process.ts), so that what
 * the proxy does — holding every Redis command during the stall, then releasing them at once —
 * costs the lab's own event loop (which sends the load and times it) nothing. Starts headroom/chaos's
 * proxy in front of the upstream given as JSON in argv[2], says where it listens over IPC, then
 * stalls and heals on the parent's messages. Exits when the parent goes ({@link exitWithParent}),
 * so a crashed lab leaves no proxy listening.
 */
import { SeededRandom, systemClock } from 'headroom';
import { ChaosProxyServer } from 'headroom/chaos';
import { exitWithParent } from '../exit-with-parent.js';
import type { ProxyInit, ProxyReply, ProxyRequest } from './proxy-process.js';

const init = JSON.parse(process.argv[2] ?? '{}') as ProxyInit;
const send = (reply: ProxyReply): void => {
  if (process.connected) process.send!(reply);
};
const server = new ChaosProxyServer({
  port: 0,
  random: new SeededRandom(init.seed),
  ...(init.allowUpstreams === undefined ? {} : { allowUpstreams: init.allowUpstreams }),
});
exitWithParent(systemClock);
try {
  await server.start();
  const { listen } = await server.createProxy({ name: init.name, listen: '127.0.0.1:0', upstream: init.upstream });
  process.on('message', (m: ProxyRequest) => {
    if (m.type === 'stall') {
      server.addToxic(init.name, { name: init.toxic, type: 'latency', stream: 'upstream', attributes: { latency: m.latencyMs } });
    } else {
      server.removeToxic(init.name, init.toxic);
    }
    send({ type: 'done', id: m.id });
  });
  send({ type: 'ready', listen });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
