// The registry commands' implementations. The server code is a bundle of its own
// (dist/berth-registry.mjs), imported only when one of these commands runs.
import { importPart } from '../../../lib/index.ts';
import type { CommandRun } from '../../command.ts';
import { relaunchWithExtraCa } from '../../extra-ca.ts';
import type * as spec from './specs.ts';

type RegistryModule = typeof import('../../../registry/index.ts');

function load(): Promise<RegistryModule> {
  return importPart<RegistryModule>({ bundle: 'berth-registry', source: new URL('../../../registry/index.ts', import.meta.url), caller: import.meta.url });
}

const storage = (flags: { config?: string | undefined; root?: string | undefined }, args: string[]) => ({
  ...(flags.config ? { config: flags.config } : args[0] ? { config: args[0] } : {}),
  ...(flags.root ? { root: flags.root } : {}),
});

// The server is a TLS client too (the pull-through mirror's upstream), with Node's default trust.
export const serve: CommandRun<typeof spec.serve.flags> = async (ctx, args, flags) =>
  (await relaunchWithExtraCa()) ??
  (await load()).runRegistryCommand(
    'serve',
    {
      ...storage(flags, args),
      ...(flags.addr ? { addr: flags.addr } : {}),
      ...(flags['tls-cert'] ? { tlsCert: flags['tls-cert'] } : {}),
      ...(flags['tls-key'] ? { tlsKey: flags['tls-key'] } : {}),
      ...(flags['tls-client-ca']?.length ? { tlsClientCa: flags['tls-client-ca'] } : {}),
    },
    ctx,
  );

export const garbageCollect: CommandRun<typeof spec.garbageCollect.flags> = async (ctx, args, flags) =>
  (await load()).runRegistryCommand('garbage-collect', { ...storage(flags, args), dryRun: flags['dry-run'], deleteUntagged: flags['delete-untagged'], grace: flags.grace }, ctx);

export const du: CommandRun<typeof spec.du.flags> = async (ctx, args, flags) =>
  (await load()).runRegistryCommand('du', { ...storage(flags, []), format: flags.format, repositories: args }, ctx);
