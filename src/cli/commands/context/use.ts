// context use and context show: the current context, kept as "currentContext" in config.json
// ("default" clears it).
import type { CommandRun } from '../../command.ts';
import { readConfigFile, writeConfigFile } from '../../config-file.ts';
import { ContextStore, defaultContextName } from '../../context-store.ts';
import { daemonSelection, readContext } from './create.ts';
import type * as spec from './specs.ts';

export const useContext: CommandRun<typeof spec.use.flags> = async (ctx, [name]) => {
  if (name !== defaultContextName) readContext(new ContextStore(ctx.configDir), name!);
  const config = readConfigFile(ctx.configDir);
  if (name === defaultContextName) delete config.currentContext;
  else config.currentContext = name!;
  await writeConfigFile(ctx.configDir, config);
  ctx.stdout.write(`${name}\n`);
  ctx.stderr.write(`Current context is now "${name}"\n`);
  if (name !== defaultContextName && process.env.BERTH_HOST) {
    ctx.stderr.write(`Warning: BERTH_HOST environment variable overrides the active context. To use "${name}", either set the global --context flag, or unset BERTH_HOST environment variable.\n`);
  }
};

export const showContext: CommandRun<typeof spec.show.flags> = async (ctx) => {
  ctx.stdout.write(`${daemonSelection(ctx).contextName()}\n`);
};
