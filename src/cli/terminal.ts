// Our terminal in raw mode for an interactive session (`run -it`, `exec -it`, `attach`, `start -ai`),
// and back exactly as it was, however the session ends.
//
// Raw mode is the docker CLI's (moby/term's MakeRaw, cfmakeraw(3)): besides no echo, no line
// editing and no signal keys, output post-processing is off, so the container's own "\r\n" reaches
// the screen as it is (Node's setRawMode keeps ONLCR, which made it "\r\r\n"). The attributes the
// terminal had are written back when the session ends, when the process exits, and on SIGTERM,
// SIGHUP, SIGINT and SIGQUIT — after which the signal is raised again, so its default action
// (ending the process) still happens.
import { loadTerminal, type Terminal } from '../sys/index.ts';
import type { CliContext } from './command.ts';

const fatalSignals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT'];

/**
 * Puts the terminal on our stdin in raw mode when stdin is a terminal, and returns the function
 * that restores it (idempotent). Without a terminal, nothing changes.
 */
export function enterRawMode(ctx: Pick<CliContext, 'stdin' | 'terminal'>, events: NodeJS.EventEmitter = process): () => void {
  const stdin = ctx.stdin as CliContext['stdin'] & { fd?: number };
  if (!stdin.isTTY) return () => {};
  const fd = stdin.fd ?? 0;
  const terminal: Terminal = (ctx.terminal ?? loadTerminal)();
  const saved = terminal.makeRaw(fd);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    events.off('exit', restore);
    for (const sig of fatalSignals) events.off(sig, onSignal);
    try {
      terminal.setAttributes(fd, saved);
    } catch {
      // the terminal is gone (hung up): nothing left to restore
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    restore();
    // Our listeners are gone, so the signal now takes its default action.
    process.kill(process.pid, sig);
  };
  events.once('exit', restore);
  for (const sig of fatalSignals) events.once(sig, onSignal);
  return restore;
}
