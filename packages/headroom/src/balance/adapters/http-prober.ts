/**
 * A {@link Prober} over HTTP: `GET <origin><path>` with undici, parsing the JSON `LoadReport`
 * a `LoadReporter` serves there. undici is the user's (an optional peer), loaded when the prober is
 * built; each probe has its own timeout on the injected clock.
 */
import type * as Undici from 'undici';
import { systemClock, type Clock } from '../../core/clock.js';
import { parseDuration, type Duration } from '../../core/duration.js';
import { loadPeer } from '../../core/peer.js';
import { invalidOption } from '../options.js';
import { LOAD_PROBE_PATH, parseLoadReport } from '../probe/load-report.js';
import type { Prober } from '../probe/prober.js';

/** Options of {@link httpProber}. */
export interface HttpProberOptions {
  /** Probe path on each origin; default `'/.headroom/load'`. */
  readonly path?: string;
  /** A probe not answered within this time counts as failed; default `'1s'`. */
  readonly timeout?: Duration;
  /** Dispatcher for probe requests; default undici's global dispatcher. */
  readonly dispatcher?: Undici.Dispatcher;
  /** Clock for the timeout; default the system clock. */
  readonly clock?: Clock;
}

/**
 * A prober that GETs `<id><path>` with undici and parses the JSON report. For balancers whose
 * endpoint ids are origins (`'http://10.0.0.7:8080'`).
 * @throws HR_BALANCE_INVALID_OPTION when `path` does not start with `/`; HR_CORE_INVALID_DURATION for a bad timeout; HR_CORE_PEER_MISSING without undici
 * @example new Balancer({ endpoints: origins, picker: prequal({ prober: httpProber() }) })
 */
export function httpProber(options: HttpProberOptions = {}): Prober {
  const path = options.path ?? LOAD_PROBE_PATH;
  if (!path.startsWith('/')) throw invalidOption('httpProber.path', path, "use an absolute path such as '/.headroom/load'");
  const timeoutMs = parseDuration(options.timeout ?? '1s', 'httpProber.timeout');
  const clock = options.clock ?? systemClock;
  const { request } = loadPeer<typeof Undici>('undici', 'httpProber');
  return {
    probe(id, done) {
      const controller = new AbortController();
      const timer = clock.setTimer(timeoutMs, () => controller.abort());
      request(new URL(path, id), {
        method: 'GET',
        signal: controller.signal,
        ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
      })
        .then(async (response) =>
          response.statusCode === 200 ? parseLoadReport(await response.body.json()) : (await response.body.dump(), undefined),
        )
        .then(
          (report) => {
            timer.cancel();
            done(report);
          },
          () => {
            timer.cancel();
            done(undefined);
          },
        );
    },
  };
}
