// The user's extra CA certificates (NODE_EXTRA_CA_CERTS) without their start-up cost.
//
// Node 20 reads NODE_EXTRA_CA_CERTS while it starts, before any JavaScript runs, and builds its
// whole root store then: on this machine `node -e 0` takes 85 ms with the variable and 26 ms
// without it, though most berth commands talk to a unix socket and never verify a certificate.
// So bin/berth moves the variable aside (to BERTH_NODE_EXTRA_CA_CERTS) before it starts Node, and
// this module gives the certificates back wherever they count:
//  - connections to a daemon over TLS trust Node's bundled roots plus that file when no
//    --tlscacert is given (the client's TlsOptions.extraCaFile);
//  - the programs berth starts inherit the variable as the user set it;
//  - a command that makes TLS connections of its own (the registry server's pull-through mirror)
//    runs in a second Node process started with the variable, through relaunchWithExtraCa().
// Run as `node dist/berth.mjs`, nothing is moved and all of this is a no-op.
import { constants } from 'node:os';

const movedAside = 'BERTH_NODE_EXTRA_CA_CERTS';

let unloaded: string | undefined;

/**
 * Puts NODE_EXTRA_CA_CERTS back into our environment (for child processes) when bin/berth moved
 * it aside, and remembers that this process started without it. Call once, first thing.
 */
export function restoreExtraCaVariable(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[movedAside];
  if (file === undefined) return;
  delete env[movedAside];
  env.NODE_EXTRA_CA_CERTS = file;
  if (file !== '') unloaded = file;
}

/** The extra CA file that this process did not load at start-up, if any. */
export function unloadedExtraCaFile(): string | undefined {
  return unloaded;
}

/**
 * When this process started without the user's extra CA certificates, runs the same command line
 * again in a Node process that has them, and resolves with its exit status; otherwise resolves
 * undefined and the caller goes on. For commands whose TLS connections use Node's default trust
 * (their own clients, not the daemon's). Signals sent to us reach the second process: SIGINT from
 * a terminal reaches both (they share the process group), so it is not forwarded again.
 */
export async function relaunchWithExtraCa(): Promise<number | undefined> {
  if (unloaded === undefined) return undefined;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: process.env });
  const forwarded: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  const ignore = () => {};
  for (const sig of forwarded) process.on(sig, forward);
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  } finally {
    for (const sig of forwarded) process.off(sig, forward);
    process.off('SIGINT', ignore);
  }
}

