// The programs berthd runs: the OCI runtime, conmon and tini, looked up once at start-up in the
// configured search path and then the usual system directories.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { SystemError } from '../errors/index.ts';
import type { DaemonConfig } from './config.ts';

export interface Tools {
  runtimePath: string;
  conmonPath: string;
  /** tini, bind-mounted into containers started with --init. */
  initPath: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findExecutable(name: string, searchPath: readonly string[], extra: readonly string[] = []): string {
  if (name.includes('/')) return name;
  const dirs = [...searchPath, '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', ...extra];
  const found = dirs.map((d) => join(d, name)).find(executable);
  if (!found) throw new SystemError(`${name} not found in PATH: install it (make deps)`);
  return found;
}

export function locateTools(config: Pick<DaemonConfig, 'runtimes' | 'defaultRuntime' | 'searchPath'>): Tools {
  const runtimeEntry = config.runtimes[config.defaultRuntime];
  return {
    runtimePath: findExecutable(runtimeEntry?.path ?? (config.defaultRuntime === 'runc' ? 'runc' : config.defaultRuntime), config.searchPath),
    conmonPath: findExecutable('conmon', config.searchPath, ['/usr/libexec/podman', '/usr/lib/podman']),
    // a static tini first: it runs in any container, whatever libc its image has
    initPath: ['/usr/bin/tini-static', '/usr/bin/docker-init', '/usr/libexec/docker/docker-init'].find(executable) ?? findExecutable('tini', config.searchPath),
  };
}
