// version: the client's and the daemon's versions, as docker lays them out. The template engine
// is loaded only for --format: `berth version` is the command scripts use to see a daemon answer.
import { clientApiVersion, type Client } from '../../../client/index.ts';
import type { SystemVersion } from '../../../types/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { cliVersion } from '../../cli-version.ts';
import type { version } from './specs.ts';

function pad(label: string, width: number): string {
  return (label + ':').padEnd(width);
}

export const showVersion: CommandRun<typeof version.flags> = async (ctx, _args, flags) => {
  const client: Client = ctx.client();
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
    Context: ctx.daemon?.contextName() ?? 'default',
  };
  let server: SystemVersion | undefined;
  let serverErr: unknown;
  try {
    server = await client.system.version();
    clientInfo.ApiVersion = await client.apiVersion();
  } catch (err) {
    serverErr = err;
  }
  if (flags.format) {
    // docker's templates see the Go fields (.Server.APIVersion), its JSON the tags (ApiVersion):
    // the Go name is an own property json leaves out
    const goName = <T extends object>(o: T): T => Object.defineProperty(o, 'APIVersion', { get: () => (o as { ApiVersion?: string }).ApiVersion, enumerable: false });
    const data = { Client: goName(clientInfo), Server: server ? goName(server) : null };
    ctx.stdout.write((await import('../../format.ts')).executeTemplate(flags.format, data) + '\n');
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
};
