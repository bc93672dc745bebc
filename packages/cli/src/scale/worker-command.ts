/**
 * `headroom scale worker --redis <url>`: a load worker on this machine that joins runs coordinated
 * through Redis (`headroom scale run … --redis <url> --expect-workers N`), until Ctrl-C — or for
 * one run with `--once`. It prints a line when it joins a run and when the run ends.
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
  const redis = await connectRedis(flags.redis);
  try {
    process.stderr.write(`waiting for runs on ${redactedUrl(new URL(flags.redis))} (prefix ${flags.prefix}); Ctrl-C to stop\n`);
    await withInterrupt((signal) =>
      serveLoadOverRedis({
        redis: redis.client,
        prefix: flags.prefix,
        ...(flags.name === undefined ? {} : { name: flags.name }),
        signal,
        once: flags.once === true,
        onRun: (e) =>
          void process.stderr.write(
            e.type === 'started' ? `run: ${e.plan.url} — ${describeLoad(e.plan.load)}\n` : `run finished: sent ${e.sent}, ok ${e.ok}\n`,
          ),
      }),
    );
  } finally {
    await redis.close().catch(() => undefined);
  }
}
