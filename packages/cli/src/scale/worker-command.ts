/**
 * `headroom scale worker --redis <url>`: a load worker on this machine that joins runs coordinated
 * through Redis (`headroom scale run … --redis <url> --expect-workers N`), until Ctrl-C — or for
 * one run with `--once`. It prints a line when it joins a run and when the run ends, and when it
 * loses Redis and has it back: it reconnects, so it outlives a Redis restart.
 */
import { serveLoadOverRedis } from 'headroom/scale';
import { connectRedis, redactedUrl } from './redis-connect.js';
import { describeLoad } from './load-run.js';
import { withInterrupt } from './execute.js';

/** `scale worker` flags. */
export interface WorkerFlags {
  readonly redis: string;
  readonly prefix: string;
  readonly name?: string;
  readonly once?: boolean;
}

/** Runs `headroom scale worker`. */
export async function scaleWorker(flags: WorkerFlags): Promise<void> {
  const redis = await connectRedis(flags.redis, { reconnect: true });
  const shown = redactedUrl(new URL(flags.redis));
  try {
    await withInterrupt((signal) =>
      serveLoadOverRedis({
        redis: redis.client,
        prefix: flags.prefix,
        ...(flags.name === undefined ? {} : { name: flags.name }),
        signal,
        once: flags.once === true,
        onReady: () => void process.stderr.write(`waiting for runs on ${shown} (prefix ${flags.prefix}); Ctrl-C to stop\n`),
        onRun: (e) =>
          void process.stderr.write(
            e.type === 'started'
              ? `run: ${e.plan.url} — ${describeLoad(e.plan.load)}\n`
              : `run finished: sent ${e.sent}, ok ${e.ok}${e.delivered ? '' : ' — the result did not reach Redis; the run reports this worker lost'}\n`,
          ),
        onRejectedJob: (reason) =>
          void process.stderr.write(`ignored an element of ${flags.prefix}:jobs that is not a run's job (${reason})\n`),
        onConnection: (e) =>
          void process.stderr.write(
            e.type === 'lost'
              ? `lost Redis at ${shown} (${e.error instanceof Error ? e.error.message : String(e.error)}); reconnecting — Ctrl-C to stop\n`
              : `Redis at ${shown} is back; waiting for runs\n`,
          ),
      }),
    );
  } finally {
    await redis.close().catch(() => undefined);
  }
}
