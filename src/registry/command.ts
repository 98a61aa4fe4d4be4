// The work of `berth registry serve | garbage-collect | du`, run in the CLI's process once the
// CLI has parsed the flags (src/cli/commands/registry-server.ts loads this module lazily).
import { promises as fsp } from 'node:fs';
import type { Writable } from 'node:stream';
import { InvalidArgument } from '../errors/index.ts';
import { humanSize, parseGoDuration, type Logger } from '../lib/index.ts';
import { parseConfig, type ConfigOverrides, type RegistryConfig } from './config.ts';
import { collectGarbage, defaultGraceMs, storageUsage } from './gc.ts';
import { registryLogger, startRegistryServer, type RunningRegistry } from './serve.ts';
import { RegistryStorage } from './storage.ts';

export interface RegistryCommandIo {
  stdout: Writable;
  stderr: Writable;
}

export interface RegistryCommandFlags {
  config?: string;
  addr?: string;
  root?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string[];
  dryRun?: boolean;
  deleteUntagged?: boolean;
  grace?: string;
  format?: string;
  /** du: the repositories to show (default all). */
  repositories?: string[];
}

async function loadConfig(flags: RegistryCommandFlags): Promise<RegistryConfig> {
  let text = '';
  if (flags.config) {
    try {
      text = await fsp.readFile(flags.config, 'utf8');
    } catch (err) {
      throw new InvalidArgument(`configuration file ${flags.config}: ${(err as Error).message}`);
    }
  }
  const overrides: ConfigOverrides = {
    ...(flags.addr ? { addr: flags.addr } : {}),
    ...(flags.root ? { root: flags.root } : {}),
    ...(flags.tlsCert ? { tlsCert: flags.tlsCert } : {}),
    ...(flags.tlsKey ? { tlsKey: flags.tlsKey } : {}),
    ...(flags.tlsClientCa?.length ? { tlsClientCa: flags.tlsClientCa } : {}),
  };
  return parseConfig(text, { env: process.env, overrides });
}

/**
 * Starts a registry from `berth registry serve`'s options (a config file, --addr, --root, TLS) in
 * this process: berthd runs one this way when daemon.json has a `registry` section.
 */
export async function startConfiguredRegistry(flags: RegistryCommandFlags, log?: Logger): Promise<RunningRegistry> {
  const config = await loadConfig(flags);
  return startRegistryServer(config, { log: log ?? registryLogger(config) });
}

export async function runRegistryCommand(name: string, flags: RegistryCommandFlags, io: RegistryCommandIo): Promise<number> {
  const config = await loadConfig(flags);
  switch (name) {
    case 'serve':
      return serve(config);
    case 'garbage-collect':
      return garbageCollect(config, flags, io);
    case 'du':
      return usage(config, flags, io);
    default:
      throw new InvalidArgument(`unknown registry command ${name}`);
  }
}

async function serve(config: RegistryConfig): Promise<number> {
  const log = registryLogger(config);
  const running = await startRegistryServer(config, { log });
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      log.info(`${signal} received, shutting down`);
      void running.close().then(() => resolve(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

async function garbageCollect(config: RegistryConfig, flags: RegistryCommandFlags, io: RegistryCommandIo): Promise<number> {
  const storage = new RegistryStorage(config.root);
  await fsp.access(storage.base).catch(() => {
    throw new InvalidArgument(`no registry storage under ${config.root}`);
  });
  const graceMs = flags.grace !== undefined ? Number(parseGoDuration(flags.grace) / 1_000_000n) : defaultGraceMs;
  const report = await collectGarbage(storage, { dryRun: !!flags.dryRun, deleteUntagged: !!flags.deleteUntagged, graceMs });
  const verb = flags.dryRun ? 'eligible for deletion' : 'deleted';
  for (const m of report.deletedManifests) io.stdout.write(`manifest ${verb}: ${m.name}@${m.digest}\n`);
  for (const b of report.deletedBlobs) io.stdout.write(`blob ${verb}: ${b.digest}\n`);
  io.stdout.write(
    `${report.markedBlobs} blobs marked, ${report.deletedBlobs.length} blobs and ${report.deletedManifests.length} manifests ${verb}, ${humanSize(report.freedBytes)} ${flags.dryRun ? 'to free' : 'freed'}\n`,
  );
  return 0;
}

async function usage(config: RegistryConfig, flags: RegistryCommandFlags, io: RegistryCommandIo): Promise<number> {
  const storage = new RegistryStorage(config.root);
  const u = await storageUsage(storage, flags.repositories);
  if (flags.format === 'json') {
    io.stdout.write(`${JSON.stringify(u)}\n`);
    return 0;
  }
  const rows = [['REPOSITORY', 'TAGS', 'MANIFESTS', 'BLOBS', 'SIZE', 'SHARED']];
  for (const r of u.repositories) rows.push([r.name, String(r.tags), String(r.manifests), String(r.blobs), humanSize(r.size), humanSize(r.shared)]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) io.stdout.write(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('')}\n`);
  io.stdout.write(`\nTotal: ${u.blobs} blobs, ${humanSize(u.totalBytes)} on disk\n`);
  return 0;
}
