// The client's config file, <config>/config.json (~/.berth/config.json), kept as docker keeps
// ~/.docker/config.json: registry credentials under "auths", the current context under
// "currentContext", and whatever else is there left as it was. Mode 0600: it holds credentials.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StatusError } from './errors.ts';

export interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  currentContext?: string;
  [key: string]: unknown;
}

export function configFilePath(configDir: string): string {
  return join(configDir, 'config.json');
}

export function readConfigFile(configDir: string): ConfigFile {
  const path = configFilePath(configDir);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ConfigFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new StatusError(1, `loading config file ${path}: ${(err as Error).message}`);
  }
}

/** Writes the file atomically. Async: the atomic writer (and its node:crypto) loads only here, not for every command that reads the file. */
export async function writeConfigFile(configDir: string, config: ConfigFile): Promise<void> {
  const { writeFileAtomicSync } = await import('../lib/index.ts');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  writeFileAtomicSync(configFilePath(configDir), JSON.stringify(config, null, '\t') + '\n', { mode: 0o600 });
}
