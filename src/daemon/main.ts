// berthd: the Berth daemon. Serves the Docker Engine API on the configured sockets until SIGTERM
// or SIGINT; containers keep running across its restarts (conmon holds them).
import { promises as fsp, openSync, writeSync, ftruncateSync, closeSync, readFileSync } from 'node:fs';
import net from 'node:net';
import type http from 'node:http';
import { dirname } from 'node:path';
import { errorMessage } from '../errors/index.ts';
import { createLogger, writeFileAtomic } from '../lib/index.ts';
import { loadSyscalls } from '../sys/index.ts';
import { loadConfig, usage, type DaemonConfig } from './config.ts';
import { berthVersion, gitCommit } from './system-info.ts';
import { readTls, wire } from './wiring.ts';

function die(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** One daemon per data root: an flock held for the daemon's life (released even on SIGKILL). */
function lockDataRoot(config: DaemonConfig): number {
  const path = `${config.dataRoot}/berthd.lock`;
  const fd = openSync(path, 'a+', 0o600);
  if (!loadSyscalls().tryLock(fd)) {
    let holder: string;
    try {
      holder = readFileSync(path, 'utf8').trim();
    } catch {
      holder = '';
    }
    die(`failed to start daemon: data root ${config.dataRoot} is in use by another berthd${holder ? ` (pid ${holder})` : ''}`);
  }
  ftruncateSync(fd);
  writeSync(fd, `${process.pid}\n`, 0);
  return fd;
}

async function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function listen(server: http.Server, host: string): Promise<() => Promise<void>> {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    await fsp.mkdir(dirname(path), { recursive: true, mode: 0o755 });
    if (await socketInUse(path)) throw new Error(`socket ${path} is in use by another daemon`);
    await fsp.rm(path, { force: true });
    // Created with no access at all, then opened to root (and its group) only.
    const oldUmask = process.umask(0o777);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(oldUmask);
    }
    await fsp.chmod(path, 0o660);
    await fsp.chown(path, 0, 0);
    return async () => {
      await fsp.rm(path, { force: true });
    };
  }
  if (host.startsWith('tcp://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(url.port || 2376), url.hostname || '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return async () => {};
  }
  throw new Error(`unsupported host: ${host}`);
}

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(process.argv.slice(2));
  } catch (err) {
    die(errorMessage(err));
  }
  if (loaded.help) {
    process.stdout.write(usage());
    return;
  }
  if (loaded.version) {
    process.stdout.write(`Berth version ${berthVersion}, build ${gitCommit}\n`);
    return;
  }
  const config = loaded.config;
  if (process.getuid?.() !== 0) die('berthd needs to be started with root privileges');
  const log = createLogger({ level: config.logLevel });
  await fsp.mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  await fsp.mkdir(config.execRoot, { recursive: true, mode: 0o700 });
  const lockFd = lockDataRoot(config);

  log.info('starting berthd', { version: berthVersion, 'data-root': config.dataRoot, 'exec-root': config.execRoot });
  const daemon = await wire(config, log);
  const tls = readTls(config);
  const servers: Array<{ server: http.Server; cleanup: () => Promise<void> }> = [];
  const sockets = new Set<net.Socket>();
  for (const host of config.hosts) {
    const server = daemon.server(host.startsWith('tcp://') ? tls : undefined);
    server.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    try {
      const cleanup = await listen(server, host);
      servers.push({ server, cleanup });
      log.info('API listen on ' + host.replace(/^unix:\/\//, ''));
    } catch (err) {
      die(`failed to load listeners: ${errorMessage(err)}`);
    }
  }
  // After a burst of work (a pull, an import), glibc keeps the freed memory: once the daemon has
  // been idle a while, hand it back. Cheap when there is nothing to give.
  const sys = loadSyscalls();
  let idleTimer: NodeJS.Timeout | undefined;
  const busy = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => sys.mallocTrim(), 5000).unref();
  };
  for (const { server } of servers) server.on('request', busy);
  await writeFileAtomic(config.pidfile, `${process.pid}`);
  log.info('Daemon has completed initialization');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`Processing signal '${signal}'`);
    for (const { server } of servers) server.close();
    // Long-lived streams (attach, logs -f, wait) would hold the close open: end them.
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map(({ cleanup }) => cleanup().catch(() => {})));
    await daemon.close();
    await fsp.rm(config.pidfile, { force: true });
    closeSync(lockFd);
    log.info('Daemon shutdown complete');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('terminated'));
  process.on('SIGINT', () => void shutdown('interrupt'));
  process.on('SIGPIPE', () => {});
  process.on('SIGHUP', () => {
    log.info(`Got signal to reload configuration, reloading from: ${config.configFile}`);
    void daemon.reload(process.argv.slice(2));
  });
  // A bug in one request must not take the daemon (and every other client) down with it.
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) }));
  process.on('uncaughtException', (err) => log.error('uncaught exception', { error: err.stack ?? err.message }));
}

main().catch((err: unknown) => {
  process.stderr.write(`berthd: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
