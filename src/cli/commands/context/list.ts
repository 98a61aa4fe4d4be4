// context ls: every context, the one in use marked " *", with docker's columns and --format.
import type { CommandRun } from '../../command.ts';
import { ContextStore, defaultContextName } from '../../context-store.ts';
import { makeRow, printRows } from '../../format.ts';
import { daemonSelection } from './create.ts';
import type * as spec from './specs.ts';

// no header for Current: the table's "{{if .Current}} *{{end}}" stays out of the header line, as in docker
const headers: Record<string, string> = { Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Error: 'ERROR' };

export const listContexts: CommandRun<typeof spec.list.flags> = async (ctx, _args, flags) => {
  const selection = daemonSelection(ctx);
  const current = selection.contextName();
  const stored = new ContextStore(ctx.configDir).list();
  const rows = [
    { Name: defaultContextName, Description: 'Current DOCKER_HOST based configuration', DockerEndpoint: selection.defaultEndpoint().host, Error: '' },
    ...stored.map((c) => ({ Name: c.Name, Description: c.Metadata?.Description ?? '', DockerEndpoint: c.Endpoints?.docker?.Host ?? '', Error: c.Endpoints?.docker ? '' : 'no docker endpoint' })),
  ]
    .sort((a, b) => a.Name.localeCompare(b.Name, 'en', { numeric: true }))
    .map((r) => makeRow('ClientContext', { Current: r.Name === current, Description: r.Description, DockerEndpoint: r.DockerEndpoint, Error: r.Error, Name: r.Name }));
  printRows(ctx, rows, {
    format: flags.format,
    quiet: !!flags.quiet,
    quietField: 'Name',
    defaultTable: 'table {{.Name}}{{if .Current}} *{{end}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}',
    headers,
  });
};
