// compose up and create: flags checked and turned into the planner's options (compose's
// validateFlags and createOptions), then src/compose's up or create.
import { createProject, parseScaleFlags, upProject, type ComposeProject, type UpOptions } from '../../../compose/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import { composeCall, loadFromFlags, selectedServices, sessionFor } from './project.ts';
import type * as spec from './specs.ts';

interface CreateFlags {
  build?: boolean;
  'no-build'?: boolean;
  'force-recreate'?: boolean;
  'no-recreate'?: boolean;
  'always-recreate-deps'?: boolean;
  'renew-anon-volumes'?: boolean;
  'remove-orphans'?: boolean;
  pull: string;
  scale?: string[];
  timeout?: number;
}

function planOptions(flags: CreateFlags, project: ComposeProject): UpOptions {
  if (flags.build && flags['no-build']) throw new StatusError(1, '--build and --no-build are incompatible');
  if (flags['renew-anon-volumes'] && flags['no-recreate']) throw new StatusError(1, '--no-recreate and --renew-anon-volumes are incompatible');
  if (flags['force-recreate'] && flags['no-recreate']) throw new StatusError(1, '--force-recreate and --no-recreate are incompatible');
  if (flags['always-recreate-deps'] && flags['no-recreate']) throw new StatusError(1, '--always-recreate-deps and --no-recreate are incompatible');
  let scale: Record<string, number> | undefined;
  try {
    scale = flags.scale && flags.scale.length > 0 ? parseScaleFlags(flags.scale) : undefined;
  } catch (err) {
    throw new StatusError(1, (err as Error).message);
  }
  for (const s of Object.keys(scale ?? {})) if (!project.services[s]) throw new StatusError(1, `no such service: ${s}`);
  const pull = flags.pull === 'policy' || flags.pull === '' ? undefined : flags.pull;
  if (pull !== undefined && !['always', 'missing', 'never', 'build', 'if_not_present'].includes(pull)) throw new StatusError(1, `invalid --pull option ${JSON.stringify(pull)}`);
  const removeOrphans = flags['remove-orphans'] || ['1', 'true'].includes((process.env.COMPOSE_REMOVE_ORPHANS ?? '').toLowerCase());
  return {
    recreate: flags['force-recreate'] ? 'force' : flags['no-recreate'] ? 'never' : 'diverged',
    recreateDependencies: flags['always-recreate-deps'] ? 'force' : flags['no-recreate'] ? 'never' : 'diverged',
    build: flags.build ? 'always' : flags['no-build'] ? 'never' : 'auto',
    ...(pull ? { pull } : {}),
    ...(scale ? { scale } : {}),
    removeOrphans,
    inheritVolumes: !flags['renew-anon-volumes'],
    ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
  };
}

export const up: CommandRun<typeof spec.up.flags> = async (ctx, args, flags) => {
  let cascade: 'stop' | 'fail' | undefined = flags['abort-on-container-exit'] ? 'stop' : flags['abort-on-container-failure'] ? 'fail' : undefined;
  if (flags['exit-code-from'] && cascade !== 'fail') cascade = 'stop';
  if (flags['abort-on-container-exit'] && flags['abort-on-container-failure']) throw new StatusError(1, '--abort-on-container-failure cannot be combined with --abort-on-container-exit');
  let detach = !!flags.detach;
  if (flags.wait) {
    if (flags['attach-dependencies'] || cascade === 'stop' || (flags.attach?.length ?? 0) > 0) {
      throw new StatusError(1, '--wait cannot be combined with --abort-on-container-exit, --attach or --attach-dependencies');
    }
    detach = true;
  }
  if (flags.detach && (flags['attach-dependencies'] || cascade || (flags.attach?.length ?? 0) > 0)) {
    throw new StatusError(1, '--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, --attach-dependencies or --watch');
  }
  const loaded = loadFromFlags(ctx, flags, flags['no-deps'] ? {} : { services: args });
  let project = loaded.project;
  if (flags['no-deps']) project = selectedServices(project, args, { dependencies: false });
  if (flags['exit-code-from'] && !project.services[flags['exit-code-from']]) throw new StatusError(1, `no such service: ${flags['exit-code-from']}`);
  for (const a of flags.attach ?? []) if (!project.services[a]) throw new StatusError(1, `cannot attach to services not included in up: ${a}`);
  const options = planOptions(flags, project);
  const session = sessionFor(ctx, flags);
  if (flags['no-start']) {
    await composeCall(createProject(session, project, { services: args, plan: options, quietPull: flags['quiet-pull'] }));
    return 0;
  }
  return composeCall(
    upProject(session, project, {
      services: args,
      plan: { ...options, wait: !!flags.wait },
      detach,
      quietPull: flags['quiet-pull'],
      ...(flags['wait-timeout'] ? { waitTimeout: flags['wait-timeout'] } : {}),
      attach: flags.attach ?? [],
      noAttach: flags['no-attach'] ?? [],
      attachDependencies: !!flags['attach-dependencies'],
      ...(cascade ? { cascade } : {}),
      ...(flags['exit-code-from'] ? { exitCodeFrom: flags['exit-code-from'] } : {}),
      timestamps: !!flags.timestamps,
      noColor: !!flags['no-color'],
      noLogPrefix: !!flags['no-log-prefix'],
    }),
  );
};

export const create: CommandRun<typeof spec.create.flags> = async (ctx, args, flags) => {
  const project = loadFromFlags(ctx, flags, { services: args }).project;
  const options = planOptions(flags, project);
  await composeCall(createProject(sessionFor(ctx, flags), project, { services: args, plan: options, quietPull: flags['quiet-pull'] }));
};
