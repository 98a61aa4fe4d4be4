// SIGHUP: daemon.json read again and its reloadable keys applied as dockerd applies them
// (daemon/reload.go) — log level and debug, labels, registries and mirrors, concurrent
// downloads and uploads, live restore, the default runtime, the shutdown timeout — then a
// daemon `reload` event carrying the resulting settings. A file that does not load changes
// nothing; the log says why.
import os from 'node:os';
import { errorMessage } from '../errors/index.ts';
import type { Logger } from '../lib/index.ts';
import { reloadConfig, type DaemonConfig } from './config.ts';

export interface ReloadTargets {
  /** The live configuration (GET /info reads it): updated in place. */
  config: DaemonConfig;
  log: Logger;
  registries: { configure(o: { registry: { insecureRegistries: string[]; registryMirrors: string[] }; maxConcurrentDownloads: number; maxConcurrentUploads: number }): void };
  /** The engine's defaults that follow the configuration. */
  engineConfig: { runtimeName: string };
  events: { publish(type: 'daemon', action: string, id: string, attributes: Record<string, string>): void };
  daemonId(): Promise<string>;
}

/** dockerd's reload event attributes. */
function attributes(c: DaemonConfig): Record<string, string> {
  return {
    debug: String(c.logLevel === 'debug'),
    'default-runtime': c.defaultRuntime,
    'insecure-registries': JSON.stringify(c.insecureRegistries),
    labels: JSON.stringify(c.labels),
    'live-restore': String(c.liveRestore),
    'max-concurrent-downloads': String(c.maxConcurrentDownloads),
    'max-concurrent-uploads': String(c.maxConcurrentUploads),
    'registry-mirrors': JSON.stringify(c.registryMirrors),
    runtimes: Object.entries({ runc: { path: 'runc' }, ...c.runtimes })
      .map(([name, r]) => `${name}:${r.path}`)
      .join(' '),
    'shutdown-timeout': String(c.shutdownTimeout),
  };
}

/** Applies daemon.json again; resolves false (and logs why) when it does not load. */
export async function reloadDaemon(t: ReloadTargets, argv: readonly string[]): Promise<boolean> {
  let next: DaemonConfig;
  try {
    next = reloadConfig(t.config, argv);
  } catch (err) {
    t.log.error(`Error reconfiguring the daemon: ${errorMessage(err)}`);
    return false;
  }
  Object.assign(t.config, next);
  t.log.level = next.logLevel;
  t.registries.configure({
    registry: { insecureRegistries: next.insecureRegistries, registryMirrors: next.registryMirrors },
    maxConcurrentDownloads: next.maxConcurrentDownloads,
    maxConcurrentUploads: next.maxConcurrentUploads,
  });
  t.engineConfig.runtimeName = next.defaultRuntime;
  const attrs = attributes(next);
  t.log.info(`Reloaded configuration: ${JSON.stringify(attrs)}`);
  t.events.publish('daemon', 'reload', await t.daemonId(), { ...attrs, name: os.hostname() });
  return true;
}
