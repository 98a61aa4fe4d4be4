// version, info and the generic inspect.
import { ApiError, clientApiVersion, type Client } from '../../client/index.ts';
import { StatusError, type Command } from '../command.ts';
import { executeTemplate, inspectEach } from '../format.ts';
import { daemonError } from './container.ts';
import { bytesSize } from '../../lib/index.ts';

export const cliVersion = '0.1.0';

interface VersionResponse {
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  BuildTime?: string;
  Platform?: { Name: string };
  Components?: Array<{ Name: string; Version: string; Details?: Record<string, string> }>;
}

function pad(label: string, width: number): string {
  return (label + ':').padEnd(width);
}

const versionCommand: Command = {
  name: 'version',
  usage: '[OPTIONS]',
  description: 'Show the Berth version information',
  maxArgs: 0,
  flags: { format: { type: 'string', short: 'f', usage: 'Format output using a custom template' } },
  async run(ctx, _args, flags) {
    const client = ctx.client();
    const clientInfo = {
      Platform: { Name: '' },
      Version: cliVersion,
      ApiVersion: clientApiVersion,
      DefaultAPIVersion: clientApiVersion,
      GitCommit: 'berth',
      GoVersion: `node ${process.version}`,
      Os: 'linux',
      Arch: 'amd64',
      BuildTime: '',
      Context: 'default',
    };
    let server: VersionResponse | undefined;
    let serverErr: unknown;
    try {
      server = await client.get<VersionResponse>('/version');
      clientInfo.ApiVersion = await client.version();
    } catch (err) {
      serverErr = err;
    }
    if (flags.format) {
      ctx.stdout.write(executeTemplate(flags.format as string, { Client: clientInfo, Server: server ?? null }) + '\n');
      if (serverErr) throw new StatusError(1, daemonError(serverErr));
      return;
    }
    const out: string[] = ['Client:'];
    const apiNote = clientInfo.ApiVersion !== clientApiVersion ? ` (downgraded from ${clientApiVersion})` : '';
    out.push(` ${pad('Version', 18)} ${clientInfo.Version}`);
    out.push(` ${pad('API version', 18)} ${clientInfo.ApiVersion}${apiNote}`);
    out.push(` ${pad('Go version', 18)} ${clientInfo.GoVersion}`);
    out.push(` ${pad('Git commit', 18)} ${clientInfo.GitCommit}`);
    out.push(` ${pad('Built', 18)} ${clientInfo.BuildTime}`);
    out.push(` ${pad('OS/Arch', 18)} ${clientInfo.Os}/${clientInfo.Arch}`);
    out.push(` ${pad('Context', 18)} ${clientInfo.Context}`);
    if (server) {
      out.push('', `Server:${server.Platform?.Name ? ' ' + server.Platform.Name : ''}`);
      for (const c of server.Components ?? []) {
        out.push(` ${c.Name}:`);
        if (c.Name === 'Engine') {
          const d = c.Details ?? {};
          out.push(`  ${pad('Version', 17)} ${c.Version}`);
          out.push(`  ${pad('API version', 17)} ${d.ApiVersion} (minimum version ${d.MinAPIVersion})`);
          out.push(`  ${pad('Go version', 17)} ${d.GoVersion}`);
          out.push(`  ${pad('Git commit', 17)} ${d.GitCommit}`);
          out.push(`  ${pad('Built', 17)} ${d.BuildTime}`);
          out.push(`  ${pad('OS/Arch', 17)} ${d.Os}/${d.Arch}`);
          out.push(`  ${pad('Experimental', 17)} ${d.Experimental}`);
        } else {
          out.push(`  ${pad('Version', 17)} ${c.Version}`);
          for (const [k, v] of Object.entries(c.Details ?? {}).sort()) out.push(`  ${pad(k, 17)} ${v}`);
        }
      }
    }
    ctx.stdout.write(out.join('\n') + '\n');
    if (serverErr) throw new StatusError(1, daemonError(serverErr));
  },
};

const infoCommand: Command = {
  name: 'info',
  usage: '[OPTIONS]',
  description: 'Display system-wide information',
  maxArgs: 0,
  flags: { format: { type: 'string', short: 'f', usage: 'Format output using a custom template' } },
  async run(ctx, _args, flags) {
    let info: Record<string, unknown>;
    try {
      info = await ctx.client().get<Record<string, unknown>>('/info');
    } catch (err) {
      if (flags.format) throw new StatusError(1, daemonError(err));
      ctx.stdout.write(`Client:\n Version:    ${cliVersion}\n Context:    default\n Debug Mode: false\n\nServer:\n`);
      throw new StatusError(1, `ERROR: ${daemonError(err)}\nerrors pretty printing info`);
    }
    if (flags.format) {
      ctx.stdout.write(executeTemplate(flags.format as string, info) + '\n');
      return;
    }
    ctx.stdout.write(renderInfo(info));
  },
};

export function renderInfo(i: Record<string, unknown>): string {
  const g = <T>(k: string) => i[k] as T;
  const o: string[] = ['Client:', ` Version:    ${cliVersion}`, ' Context:    default', ' Debug Mode: false', '', 'Server:'];
  o.push(` Containers: ${g<number>('Containers')}`, `  Running: ${g<number>('ContainersRunning')}`, `  Paused: ${g<number>('ContainersPaused')}`, `  Stopped: ${g<number>('ContainersStopped')}`);
  o.push(` Images: ${g<number>('Images')}`, ` Server Version: ${g<string>('ServerVersion')}`, ` Storage Driver: ${g<string>('Driver')}`);
  for (const [k, v] of g<Array<[string, string]>>('DriverStatus') ?? []) o.push(`  ${k}: ${v}`);
  o.push(` Logging Driver: ${g<string>('LoggingDriver')}`, ` Cgroup Driver: ${g<string>('CgroupDriver')}`, ` Cgroup Version: ${g<string>('CgroupVersion')}`);
  const plugins = g<Record<string, string[] | null>>('Plugins') ?? {};
  o.push(' Plugins:', `  Volume: ${(plugins.Volume ?? []).join(' ')}`, `  Network: ${(plugins.Network ?? []).join(' ')}`, `  Log: ${(plugins.Log ?? []).join(' ')}`);
  o.push(` Swarm: ${(g<{ LocalNodeState?: string }>('Swarm') ?? {}).LocalNodeState ?? 'inactive'}`);
  o.push(` Runtimes: ${Object.keys(g<Record<string, unknown>>('Runtimes') ?? {}).join(' ')}`, ` Default Runtime: ${g<string>('DefaultRuntime')}`);
  o.push(` Init Binary: ${g<string>('InitBinary')}`);
  o.push(` runc version: ${(g<{ ID?: string }>('RuncCommit') ?? {}).ID ?? ''}`, ` init version: ${(g<{ ID?: string }>('InitCommit') ?? {}).ID ?? ''}`);
  const sec = g<string[]>('SecurityOptions') ?? [];
  if (sec.length) {
    o.push(' Security Options:');
    for (const s of sec) {
      const kv = Object.fromEntries(s.split(',').map((p) => p.split('=') as [string, string]));
      o.push(`  ${kv.name}`);
      for (const [k, v] of Object.entries(kv)) if (k !== 'name') o.push(`   ${k[0].toUpperCase()}${k.slice(1)}: ${v}`);
    }
  }
  o.push(` Kernel Version: ${g<string>('KernelVersion')}`, ` Operating System: ${g<string>('OperatingSystem')}`, ` OSType: ${g<string>('OSType')}`);
  o.push(` Architecture: ${g<string>('Architecture')}`, ` CPUs: ${g<number>('NCPU')}`, ` Total Memory: ${bytesSize(g<number>('MemTotal'))}`);
  o.push(` Name: ${g<string>('Name')}`, ` ID: ${g<string>('ID')}`, ` Berth Root Dir: ${g<string>('DockerRootDir')}`);
  o.push(` Debug Mode: ${g<boolean>('Debug')}`, ` Experimental: ${g<boolean>('ExperimentalBuild')}`);
  const reg = g<{ InsecureRegistryCIDRs?: string[]; IndexConfigs?: Record<string, { Secure: boolean }>; Mirrors?: string[] }>('RegistryConfig') ?? {};
  const insecure = [
    ...Object.entries(reg.IndexConfigs ?? {})
      .filter(([, v]) => !v.Secure)
      .map(([k]) => k),
    ...(reg.InsecureRegistryCIDRs ?? []),
  ];
  if (insecure.length) o.push(' Insecure Registries:', ...insecure.map((r) => `  ${r}`));
  if (reg.Mirrors?.length) o.push(' Registry Mirrors:', ...reg.Mirrors.map((m) => `  ${m}`));
  o.push(` Live Restore Enabled: ${g<boolean>('LiveRestoreEnabled')}`);
  const warnings = g<string[] | null>('Warnings') ?? [];
  return o.join('\n') + '\n' + (warnings.length ? '\n' + warnings.join('\n') + '\n' : '');
}

async function inspectAny(client: Client, ref: string, type: string | undefined, size: boolean): Promise<unknown> {
  const tries: Array<['container' | 'image', string]> = [];
  if (!type || type === 'container') tries.push(['container', `/containers/${encodeURIComponent(ref)}/json`]);
  if (!type || type === 'image') tries.push(['image', `/images/${ref.split('/').map(encodeURIComponent).join('/')}/json`]);
  for (const [, path] of tries) {
    try {
      return await client.get(path, path.startsWith('/containers') ? { size } : undefined);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }
  return undefined;
}

const inspectCommand: Command = {
  name: 'inspect',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on Berth objects',
  minArgs: 1,
  flags: {
    format: { type: 'string', short: 'f', usage: 'Format output using a custom template' },
    size: { type: 'bool', short: 's', usage: 'Display total file sizes if the type is container' },
    type: { type: 'string', usage: 'Return JSON for specified type' },
  },
  async run(ctx, args, flags) {
    const type = flags.type as string | undefined;
    if (type && !['container', 'image'].includes(type)) throw new StatusError(1, `"${type}" is not a valid value for --type`);
    const client = ctx.client();
    return inspectEach(ctx, args, (a) => inspectAny(client, a, type, !!flags.size), {
      format: flags.format as string | undefined,
      errorText: (a, err) => (err === undefined ? `Error: No such object: ${a}` : daemonError(err)),
    });
  },
};

export const systemCommands: Command[] = [versionCommand, infoCommand, inspectCommand];
