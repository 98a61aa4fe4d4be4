// The credentials store shared by login, logout, pull, push, run and build: ~/.berth/config.json kept as
// docker keeps ~/.docker/config.json ("auths" with base64 "user:password", mode 0600).
import { encodeRegistryAuth } from '../../../client/index.ts';
import type { AuthConfig } from '../../../types/index.ts';
import type { CliContext } from '../../command.ts';
import { configFilePath, readConfigFile, writeConfigFile, type ConfigFile } from '../../config-file.ts';

export type { ConfigFile };

export const dockerHubServer = 'https://index.docker.io/v1/';

export function configPath(ctx: CliContext): string {
  return configFilePath(ctx.configDir);
}

export function readConfig(ctx: CliContext): ConfigFile {
  return readConfigFile(ctx.configDir);
}

export function writeConfig(ctx: CliContext, config: ConfigFile): Promise<void> {
  return writeConfigFile(ctx.configDir, config);
}

/** The registry part of an image name, as docker's CLI keys credentials ("docker.io" → the Hub's URL). */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return dockerHubServer;
  const first = image.slice(0, slash);
  if (first === 'localhost' || /[.:]/.test(first)) return first === 'docker.io' || first === 'index.docker.io' ? dockerHubServer : first;
  return dockerHubServer;
}

/** The key credentials are stored under for a server (the Hub's URL for docker.io and friends). */
export function serverKey(server: string | undefined): string {
  if (!server) return dockerHubServer;
  const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') return dockerHubServer;
  return host;
}

/** A stored entry as the daemon takes credentials; undefined when it holds none. */
function authConfig(entry: { auth?: string; identitytoken?: string } | undefined, server: string): AuthConfig | undefined {
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: server };
  }
  if (entry?.identitytoken) return { identitytoken: entry.identitytoken, serveraddress: server };
  return undefined;
}

/** X-Registry-Auth for a server from the stored credentials ("{}" when there are none, as docker sends). */
export function registryAuthFor(ctx: CliContext, server: string): string {
  const key = serverKey(server);
  const auths = readConfig(ctx).auths ?? {};
  return encodeRegistryAuth(authConfig(auths[key] ?? auths[`https://${key}`] ?? auths[`http://${key}`], key) ?? {});
}

/** Every stored credential, server → auth config, as X-Registry-Config carries them (build). */
export function allRegistryAuths(ctx: CliContext): Record<string, AuthConfig> {
  const out: Record<string, AuthConfig> = {};
  for (const [server, entry] of Object.entries(readConfig(ctx).auths ?? {})) {
    const auth = authConfig(entry, server);
    if (auth) out[server] = auth;
  }
  return out;
}
