// context inspect: a context's metadata, endpoint, TLS material and where it is stored, as docker
// shows it ("default" lives in memory: it is the flags' and the environment's).
import type { CommandRun } from '../../command.ts';
import { ContextNotFound, ContextStore, defaultContextName } from '../../context-store.ts';
import { printInspect } from '../../format.ts';
import { daemonSelection } from './create.ts';
import type * as spec from './specs.ts';

export const inspectContexts: CommandRun<typeof spec.inspect.flags> = async (ctx, args, flags) => {
  const selection = daemonSelection(ctx);
  const store = new ContextStore(ctx.configDir);
  const names = args.length ? args : [selection.contextName()];
  const items: unknown[] = [];
  let failed = false;
  for (const name of names) {
    if (name === defaultContextName) {
      const ep = selection.defaultEndpoint();
      const tls = ep.tls ? (['ca', 'cert', 'key'] as const).filter((k) => ep.tls?.[k]).map((k) => `${k}.pem`) : [];
      items.push({
        Name: defaultContextName,
        Metadata: {},
        Endpoints: { docker: { Host: ep.host, SkipTLSVerify: !!ep.tls && !ep.tls.verify } },
        TLSMaterial: tls.length ? { docker: tls } : {},
        Storage: { MetadataPath: '<IN MEMORY>', TLSPath: '<IN MEMORY>' },
      });
      continue;
    }
    try {
      const meta = store.read(name);
      const tls = store.tlsFiles(name);
      items.push({ ...meta, TLSMaterial: tls.length ? { docker: tls } : {}, Storage: { MetadataPath: store.metaDir(name), TLSPath: store.tlsDir(name) } });
    } catch (err) {
      if (!(err instanceof ContextNotFound)) throw err;
      ctx.stderr.write(`${err.message}\n`);
      failed = true;
    }
  }
  printInspect(ctx, items, flags.format);
  return failed ? 1 : 0;
};
