/**
 * Whether the invalidation channel can be trusted right now. An open connection proves nothing:
 * a frozen Redis (or a partition) keeps the socket open while no message arrives, so L1 would
 * keep serving entries other instances have changed. The watch therefore asks for proof: every
 * `intervalMs` it runs a probe through the channel itself (pub/sub: a message to ourselves;
 * tracking: a PING on each tracking connection, answered after every invalidation queued before
 * it). A probe unanswered for `timeoutMs` makes the channel *silent*; so does a failed probe. A
 * tier call that times out asks for a probe at once, so under traffic silence is noticed within
 * about two timeouts, and an idle instance within `intervalMs + timeoutMs`. The channel is live
 * again once a probe is answered (or the connection reports ready after a reconnect).
 *
 * Cf. the leases of Gray and Cheriton (SOSP 1989) and Chubby's KeepAlives (Burrows, OSDI 2006):
 * trust that is not renewed lapses. One timer for the heartbeat and one per outstanding probe,
 * both on the injected clock (unref'd on the system clock).
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ChannelState } from '../tier.js';

/** Options of {@link ChannelWatch}. */
export interface ChannelWatchOptions {
  readonly clock: Clock;
  /** Time between probes, ms. */
  readonly intervalMs: number;
  /** How long a probe may go unanswered, ms. */
  readonly timeoutMs: number;
  /** Proves the channel delivers: resolves once a message sent through it came back. */
  readonly probe: () => Promise<void>;
  /** Told when the channel turns trusted (true) or untrusted (false). */
  readonly onChange: (live: boolean) => void;
}

/** Decides whether a tier's invalidation channel is live: heartbeat probes with a deadline (see the file comment). */
export class ChannelWatch {
  readonly #options: ChannelWatchOptions;
  #state: ChannelState = 'connecting';
  #heartbeat: TimerHandle | undefined;
  /** Deadline of the outstanding probe, if any. */
  #deadline: TimerHandle | undefined;
  #lastHeardAt = 0;

  constructor(options: ChannelWatchOptions) {
    this.#options = options;
  }

  /** The channel's state. */
  get state(): ChannelState {
    return this.#state;
  }

  /** True while notifications can be trusted to arrive. */
  get live(): boolean {
    return this.#state === 'live';
  }

  /** When the channel last proved it delivers (epoch ms; 0 if never). */
  get lastHeardAt(): number {
    return this.#lastHeardAt;
  }

  /** The channel's connection went down (false) or is ready again (true). */
  transport(up: boolean): void {
    if (this.#state === 'closed') return;
    if (up) {
      this.#lastHeardAt = this.#options.clock.wallNow();
      this.#set('live');
      this.#schedule();
    } else {
      this.#cancelProbe();
      this.#set('down');
    }
  }

  /** Something suggests the server stalled (a call timed out): probe now rather than at the next beat. */
  suspect(): void {
    if (this.#state === 'live' && this.#deadline === undefined) this.#probe();
  }

  /** Stops every timer; the channel reads `closed` from now on. */
  close(): void {
    this.#heartbeat?.cancel();
    this.#heartbeat = undefined;
    this.#cancelProbe();
    this.#state = 'closed';
  }

  #schedule(): void {
    if (this.#heartbeat !== undefined || this.#state === 'closed') return;
    this.#heartbeat = this.#options.clock.setTimer(this.#options.intervalMs, () => {
      this.#heartbeat = undefined;
      if (this.#state === 'closed') return;
      // While the connection is down there is nothing to probe: its reconnect reports back.
      if (this.#state !== 'down' && this.#deadline === undefined) this.#probe();
      this.#schedule();
    });
  }

  #probe(): void {
    const clock = this.#options.clock;
    const deadline = clock.setTimer(this.#options.timeoutMs, () => {
      // Decide one timer turn later: after a stalled event loop the timer fires before the I/O
      // that may hold the answer, and a busy process is not a silent channel.
      clock.setTimer(0, () => {
        if (this.#deadline !== deadline) return;
        this.#deadline = undefined;
        this.#silent();
      });
    });
    this.#deadline = deadline;
    let probing: Promise<void>;
    try {
      probing = this.#options.probe();
    } catch (error) {
      probing = Promise.reject(error);
    }
    probing.then(
      () => {
        // Any answer, even one that comes after its deadline, proves the channel delivers now.
        if (this.#deadline === deadline) this.#cancelProbe();
        this.#heard();
      },
      () => {
        if (this.#deadline !== deadline) return;
        this.#cancelProbe();
        this.#silent();
      },
    );
  }

  #heard(): void {
    // While the connection is down its reconnect, not a probe, brings the channel back.
    if (this.#state === 'closed' || this.#state === 'down') return;
    this.#lastHeardAt = this.#options.clock.wallNow();
    this.#set('live');
  }

  #silent(): void {
    if (this.#state === 'live' || this.#state === 'connecting') this.#set('silent');
  }

  #cancelProbe(): void {
    this.#deadline?.cancel();
    this.#deadline = undefined;
  }

  #set(state: ChannelState): void {
    if (state === this.#state || this.#state === 'closed') return;
    const wasLive = this.#state === 'live';
    this.#state = state;
    if (wasLive !== (state === 'live')) this.#options.onChange(state === 'live');
  }
}
