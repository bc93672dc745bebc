/**
 * Entry point of a replica process, started by the lab with `fork()`. It opens the store, listens
 * on 127.0.0.1 (port 0 = OS-assigned), tells the parent its port, then answers configure/stats
 * requests. It ignores SIGINT and SIGHUP (the parent coordinates them), stops on SIGTERM, and exits at once
 * if the parent disappears, so no replica outlives the lab.
 */
import { type RedisClientType, createClient } from 'redis';
import type { RedisLike } from 'headroom/cache';
import { systemClock } from 'headroom';
import { exitWithParent } from '../exit-with-parent.js';
import type { ParentMessage, ReplicaInit, ReplicaMessage } from './protocol.js';
import { ReplicaService } from './replica.js';
import { recordReplicaStalls, replicaTracePath } from './stall-recorder.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { CatalogStore } from './store.js';

const PG_POOL_SIZE = 16;

function send(message: ReplicaMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const init = JSON.parse(process.argv[2] ?? '') as ReplicaInit;
  // Ctrl-C and a closing terminal reach the whole process group; the parent decides, then sends SIGTERM.
  process.on('SIGINT', () => undefined);
  process.on('SIGHUP', () => undefined);
  exitWithParent(systemClock);
  if (init.tracePath !== undefined)
    recordReplicaStalls(replicaTracePath(init.tracePath, init.index), init.index, systemClock, init.stallThresholdMs);

  const store: CatalogStore =
    init.store.kind === 'sqlite' ? openSqliteStore(init.store.path) : openPostgresStore(init.store.url, init.store.table, PG_POOL_SIZE);
  let redis: RedisClientType | null = null;
  if (init.redisUrl !== null) {
    try {
      redis = createClient({ url: init.redisUrl, disableOfflineQueue: true }) as RedisClientType;
      // Errors surface on the calls (the cache carries on without its tier); an unhandled 'error' event would kill the replica.
      redis.on('error', () => undefined);
      await redis.connect();
    } catch (error) {
      send({ type: 'fatal', code: 'HR_LAB_REDIS_UNREACHABLE', message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    }
  }
  const service = await ReplicaService.create(init, store, systemClock, redis as RedisLike | null);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await service.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    if (redis?.isOpen === true) redis.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());

  process.on('message', (raw: ParentMessage) => {
    void (async () => {
      try {
        if (raw.type === 'configure') {
          await service.configure(raw.config);
          send({ type: 'reply', id: raw.id });
        } else if (raw.type === 'warm') {
          send({ type: 'reply', id: raw.id, warm: await service.warm(raw.block) });
        } else {
          send({ type: 'reply', id: raw.id, stats: service.stats() });
        }
      } catch (error) {
        send({ type: 'reply', id: raw.id, error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });

  let port: number;
  try {
    port = await service.listen(init.port);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    send({
      type: 'fatal',
      code: 'HR_LAB_REPLICA_DIED',
      message: error instanceof Error ? error.message : String(error),
      ...(errno === undefined ? {} : { errno }),
    });
    process.exit(1);
  }
  send({ type: 'ready', port });
}

await main();
