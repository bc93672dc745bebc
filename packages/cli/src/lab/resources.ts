/**
 * What a lab run creates outside its own memory — a temporary folder with the SQLite file, or a
 * PostgreSQL table; Redis keys under a unique prefix — and how each is removed. Every resource is
 * registered the moment it exists, so cleanup after Ctrl-C or a failure removes exactly what was made.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import type { Clock, Random } from 'headroom';
import { portDenied, portInUse, redisUnreachable, storeUnreachable } from './errors.js';
import { dropPostgresTable, probePostgres, seedPostgres } from './service/postgres-store.js';
import { seedSqlite } from './service/sqlite-store.js';
import type { StoreSpec } from './service/store.js';

const CONNECT_TIMEOUT_MS = 3_000;

/** Cleanups, run newest first. */
export class Resources {
  readonly #cleanups: { readonly name: string; readonly run: () => Promise<void> | void; readonly now?: () => void }[] = [];

  /**
   * Registers a cleanup.
   * @param now - a synchronous, forceful version for {@link releaseNow} (e.g. SIGKILL instead of SIGTERM)
   */
  add(name: string, run: () => Promise<void> | void, now?: () => void): void {
    this.#cleanups.push(now === undefined ? { name, run } : { name, run, now });
  }

  /**
   * Runs, synchronously and newest first, every cleanup that has a forceful version (the process
   * is about to exit: a second Ctrl-C). Others (a PostgreSQL table, Redis keys) are left undone.
   */
  releaseNow(): void {
    while (this.#cleanups.length > 0) {
      const { now } = this.#cleanups.pop()!;
      try {
        now?.();
      } catch {
        // Exiting anyway: a failed forced cleanup must not stop the others.
      }
    }
  }

  /** Runs every cleanup once, newest first; returns the failures as lines (never throws). */
  async release(): Promise<string[]> {
    const failures: string[] = [];
    while (this.#cleanups.length > 0) {
      const { name, run } = this.#cleanups.pop()!;
      try {
        await run();
      } catch (error) {
        failures.push(`could not ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return failures;
  }
}

/** A seeded store, ready for replicas. */
export interface PreparedStore {
  readonly spec: StoreSpec;
  readonly seedMs: number;
}

/**
 * Creates and seeds the catalog: an SQLite file in a fresh temporary folder, or a uniquely named
 * table when `storeUrl` is a PostgreSQL URL. Registers its removal on `resources`.
 * @throws HR_LAB_STORE_UNREACHABLE when PostgreSQL does not answer
 */
export async function prepareStore(
  storeUrl: string | null,
  products: number,
  random: Random,
  clock: Clock,
  runId: string,
  resources: Resources,
): Promise<PreparedStore> {
  const started = clock.now();
  if (storeUrl === null) {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-lab-'));
    const remove = (): void => rmSync(dir, { recursive: true, force: true });
    resources.add(`remove ${dir}`, remove, remove);
    const path = join(dir, 'catalog.db');
    seedSqlite(path, products, random);
    return { spec: { kind: 'sqlite', path }, seedMs: clock.now() - started };
  }
  const url = withDefaultUser(storeUrl);
  try {
    await probePostgres(url, CONNECT_TIMEOUT_MS);
  } catch (error) {
    throw storeUnreachable(storeUrl, error);
  }
  const table = `headroom_lab_${runId}`;
  resources.add(`drop PostgreSQL table ${table}`, () => dropPostgresTable(url, table));
  await seedPostgres(url, table, products, random);
  return { spec: { kind: 'postgres', url, table }, seedMs: clock.now() - started };
}

/**
 * Checks that Redis answers, and registers the removal of every key of the run — those starting
 * with `<keyPrefix>:` or `{<keyPrefix>:` (SCAN + UNLINK; never FLUSHALL — the database may hold
 * other data).
 * @throws HR_LAB_REDIS_UNREACHABLE when Redis does not answer PING
 */
export async function prepareRedis(redisUrl: string, keyPrefix: string, resources: Resources): Promise<void> {
  const client = createClient({ url: redisUrl, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw redisUnreachable(redisUrl, error);
  } finally {
    if (client.isOpen) client.destroy();
  }
  resources.add(`delete Redis keys ${keyPrefix}:*`, async () => {
    const cleaner = createClient({ url: redisUrl, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false } });
    cleaner.on('error', () => undefined);
    await cleaner.connect();
    try {
      for (const pattern of [`${keyPrefix}:*`, `{${keyPrefix}:*`]) {
        for await (const keys of cleaner.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
          if (keys.length > 0) await cleaner.unlink(keys);
        }
      }
    } finally {
      if (cleaner.isOpen) cleaner.destroy();
    }
  });
}

/**
 * `pg` falls back to $USER for a URL without a user name, and $USER is unset under some service
 * managers and CI runners; use the OS account name then, as psql does.
 */
function withDefaultUser(url: string): string {
  const parsed = new URL(url);
  if (parsed.username !== '' || (process.env['PGUSER'] ?? '') !== '' || (process.env['USER'] ?? '') !== '') return url;
  parsed.username = userInfo().username;
  return parsed.toString();
}

/**
 * Fails fast, before anything is seeded, when one of the ports `basePort … basePort + count − 1`
 * is taken on 127.0.0.1 or may not be opened by this user. (A replica that still loses a race for
 * its port reports the same error.)
 * @throws HR_LAB_PORT_IN_USE naming the first port in use; HR_LAB_INVALID_OPTION (`--base-port`) on EACCES
 */
export async function checkPortsFree(basePort: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const port = basePort + i;
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, port, basePort, i)));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  }
}

/**
 * The lab's error for a failed listen on `port` (replica `replica`), or the error itself when it
 * is neither "in use" nor "denied".
 */
export function listenError(error: NodeJS.ErrnoException, port: number, basePort: number, replica: number): Error {
  if (error.code === 'EADDRINUSE') return portInUse(port, replica);
  if (error.code === 'EACCES') return portDenied(port, basePort, unprivilegedPortStart());
  return error;
}

/** The first port any user may open (Linux's net.ipv4.ip_unprivileged_port_start; 1024 elsewhere). */
function unprivilegedPortStart(): number {
  try {
    const value = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
    return Number.isInteger(value) ? value : 1024;
  } catch {
    return 1024;
  }
}
