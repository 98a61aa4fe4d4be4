// context rm: removes contexts; the one in use only with -f (and then "default" is in use).
import type { CommandRun } from '../../command.ts';
import { readConfigFile, writeConfigFile } from '../../config-file.ts';
import { ContextStore, defaultContextName } from '../../context-store.ts';
import { StatusError } from '../../errors.ts';
import { daemonSelection } from './create.ts';
import type * as spec from './specs.ts';

export const removeContexts: CommandRun<typeof spec.rm.flags> = async (ctx, names, flags) => {
  const store = new ContextStore(ctx.configDir);
  const current = daemonSelection(ctx).contextName();
  const errors: string[] = [];
  for (const name of names) {
    if (name === defaultContextName) {
      errors.push(`context "${defaultContextName}" cannot be removed`);
      continue;
    }
    if (!store.exists(name)) {
      errors.push(`context "${name}" does not exist`);
      continue;
    }
    if (name === current && !flags.force) {
      errors.push(`context "${name}" is in use, set -f flag to force remove`);
      continue;
    }
    const config = readConfigFile(ctx.configDir);
    if (config.currentContext === name) {
      delete config.currentContext;
      await writeConfigFile(ctx.configDir, config);
    }
    store.remove(name);
    ctx.stdout.write(`${name}\n`);
  }
  if (errors.length) throw new StatusError(1, errors.join('\n'));
};
