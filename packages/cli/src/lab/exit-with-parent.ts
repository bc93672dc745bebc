/**
 * How a process the lab forks (a replica, the chaos scenario's Redis proxy) makes sure it never
 * outlives the lab: it exits at once when its IPC channel closes, and — should the channel outlive
 * the parent, as when the parent is SIGKILLed while another process holds its end — when its parent
 * pid changes (the OS re-parents an orphan). Exiting at once is deliberate: a graceful stop could
 * wait on the very connections the dead lab left open; the OS closes every socket.
 */
import type { Clock } from 'headroom';

/** How often the parent pid is checked. */
const PARENT_CHECK_MS = 250;

/** Exits the process (code 0) when its parent goes; the check's timer does not keep it alive. */
export function exitWithParent(clock: Clock): void {
  process.on('disconnect', () => process.exit(0));
  const parentPid = process.ppid;
  const check = (): void => {
    if (process.ppid !== parentPid) process.exit(0);
    clock.setTimer(PARENT_CHECK_MS, check);
  };
  clock.setTimer(PARENT_CHECK_MS, check);
}
