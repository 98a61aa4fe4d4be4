// info: the daemon's system-wide information, as docker lays it out.
import { bytesSize } from '../../../lib/index.ts';
import type { SystemInfo } from '../../../types/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { cliVersion } from '../../cli-version.ts';
import type { info } from './specs.ts';

export const showInfo: CommandRun<typeof info.flags> = async (ctx, _args, flags) => {
  let system: SystemInfo;
  try {
    system = await ctx.client().system.info();
  } catch (err) {
    if (flags.format) throw new StatusError(1, daemonError(err));
    ctx.stdout.write(`Client:\n Version:    ${cliVersion}\n Context:    default\n Debug Mode: false\n\nServer:\n`);
    throw new StatusError(1, `ERROR: ${daemonError(err)}\nerrors pretty printing info`);
  }
  if (flags.format) {
    ctx.stdout.write((await import('../../format.ts')).executeTemplate(flags.format, system) + '\n');
    return;
  }
  ctx.stdout.write(renderInfo(system));
};

function renderInfo(i: SystemInfo): string {
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
