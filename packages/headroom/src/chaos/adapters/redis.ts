/**
 * Faults in a Redis client (node-redis or ioredis, or anything with command methods): returns a
 * proxy of the client whose command methods pass through a {@link FaultInjector}. The key a rule
 * selects by is the command's first argument (the Redis key) unless you give `key`.
 */
import { withFaults } from '../wrap.js';
import type { FaultInjector } from '../injector.js';

/** Methods never wrapped: connection lifecycle, events and pipelines. */
const LIFECYCLE = new Set([
  'connect',
  'disconnect',
  'quit',
  'close',
  'destroy',
  'duplicate',
  'on',
  'once',
  'off',
  'emit',
  'addListener',
  'removeListener',
  'removeAllListeners',
  'multi',
  'pipeline',
  'then',
  'constructor',
  'toString',
]);

/** Options of {@link faultyRedis}. */
export interface FaultyRedisOptions {
  /** Only these command methods (case-insensitive, e.g. `['get', 'set']`). Default: every method but lifecycle and events. */
  readonly commands?: readonly string[];
  /** The key of a call. Default: the first argument when it is a string, else the command name. */
  readonly key?: (command: string, args: readonly unknown[]) => string | undefined;
}

/**
 * Returns a view of `client` whose commands suffer the injector's faults; the client itself is
 * unchanged (close it as usual).
 * @example const redis = faultyRedis(client, new FaultInjector({ faults: [{ timeout: 500, select: { prefix: 'session:' } }] }));
 */
export function faultyRedis<T extends object>(client: T, injector: FaultInjector, options: FaultyRedisOptions = {}): T {
  const only = options.commands === undefined ? undefined : new Set(options.commands.map((c) => c.toLowerCase()));
  const keyOf = options.key ?? ((command: string, args: readonly unknown[]) => (typeof args[0] === 'string' ? args[0] : command));
  const wrapped = new Map<string, unknown>();
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      if (only === undefined ? LIFECYCLE.has(prop) || prop.startsWith('_') : !only.has(prop.toLowerCase())) return value.bind(target);
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        fn = withFaults(async (...args: unknown[]) => method.apply(target, args), injector, { key: (...args) => keyOf(prop, args) });
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
