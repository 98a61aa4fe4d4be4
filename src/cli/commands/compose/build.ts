// compose build, pull and push: the services' images built from their contexts (build-port.ts),
// pulled or pushed with compose's progress lines. Build failures exit 17, pull failures 18.
import {
  checkBuildSupported,
  dependencyOrder,
  executePlan,
  progressOn,
  serviceImage,
  type BuildAction,
  type PullAction,
  type Session,
} from '../../../compose/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import { buildService } from './build-port.ts';
import { composeCall, loadFromFlags, selectedServices, sessionFor } from './project.ts';
import type * as spec from './specs.ts';

function buildArgs(values: readonly string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) out[v] = process.env[v] ?? null;
    else out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

async function pushTags(session: Session, tags: Array<{ service: string; tag: string }>, options: { quiet: boolean; ignoreFailures: boolean }): Promise<void> {
  const progress = options.quiet ? undefined : progressOn(session, 'Pushing');
  try {
    await Promise.all(
      tags.map(async ({ service, tag }) => {
        progress?.event({ id: tag, status: 'working', statusText: '', text: 'Pushing' });
        try {
          const stream = await session.engine.pushImage(tag);
          for await (const m of stream) {
            if (m.error || m.errorDetail) throw new StatusError(1, m.errorDetail?.message ?? m.error ?? 'push failed');
            if (progress && m.id && m.status) {
              const done = ['Pushed', 'Layer already exists', 'Mounted from'].some((s) => m.status!.startsWith(s));
              progress.event({ id: m.id, parentId: tag, status: done ? 'done' : 'working', text: m.status, statusText: m.progress ?? '' });
            }
          }
        } catch (err) {
          progress?.event({ id: tag, status: 'error', statusText: '', text: 'Error' });
          if (!options.ignoreFailures) throw err;
          progress?.tail(`Pushing ${service}: ${(err as Error).message}`);
          return;
        }
        progress?.event({ id: tag, status: 'done', statusText: '', text: 'Pushed' });
      }),
    );
  } finally {
    progress?.stop();
  }
}

export const build: CommandRun<typeof spec.build.flags> = async (ctx, args, flags) => {
  const project = selectedServices(loadFromFlags(ctx, flags).project, args, { dependencies: !!flags['with-dependencies'] });
  const session = sessionFor(ctx, flags);
  const extraArgs = buildArgs(flags['build-arg'] ?? []);
  const built: Array<{ service: string; tag: string }> = [];
  for (const name of dependencyOrder(project.services)) {
    const service = project.services[name];
    if (!service.build) continue;
    try {
      checkBuildSupported(service);
    } catch (err) {
      throw new StatusError(17, (err as Error).message);
    }
    const image = serviceImage(service, project.name);
    const action: BuildAction = { kind: 'build-image', id: 0, after: [], service: name, image, build: service.build, skipIfPresent: false };
    await buildService(session, action, { quiet: !!flags.quiet, buildArgs: extraArgs, noCache: !!flags['no-cache'], pull: !!flags.pull });
    if (service.image) for (const tag of [service.image, ...(service.build.tags ?? [])]) built.push({ service: name, tag });
  }
  if (flags.push && built.length > 0) await composeCall(pushTags(session, built, { quiet: !!flags.quiet, ignoreFailures: false }));
};

export const pull: CommandRun<typeof spec.pull.flags> = async (ctx, args, flags) => {
  if (flags.policy !== undefined && flags.policy !== 'missing' && flags.policy !== 'always') throw new StatusError(1, `invalid pull policy: ${flags.policy}`);
  const project = selectedServices(loadFromFlags(ctx, flags).project, args, { dependencies: !!flags['include-deps'] });
  const session = sessionFor(ctx, flags);
  const progress = progressOn(session, 'Pulling');
  const actions: PullAction[] = [];
  const byImage = new Map<string, PullAction>();
  try {
    for (const name of Object.keys(project.services).sort()) {
      const service = project.services[name];
      const event = (text: string) => progress.event({ id: name, status: 'done', statusText: '', text });
      if (!service.image) {
        event('Skipped - No image to be pulled');
        continue;
      }
      const policy = flags.policy ?? service.pull_policy ?? 'always';
      if (policy === 'never' || policy === 'build') {
        event('Skipped');
        continue;
      }
      if ((policy === 'missing' || policy === 'if_not_present') && (await session.engine.inspectImage(service.image))) {
        event('Skipped - Image is already present locally');
        continue;
      }
      if (service.build && flags['ignore-buildable']) {
        event('Skipped - Image can be built');
        continue;
      }
      const same = byImage.get(service.image);
      if (same) {
        event(`Skipped - Image is already being pulled by ${same.services[0]}`);
        continue;
      }
      const a: PullAction = { kind: 'pull-image', id: actions.length + 1, after: [], image: service.image, services: [name], ...(service.platform ? { platform: service.platform } : {}), optional: !!service.build || !!flags['ignore-pull-failures'] };
      byImage.set(service.image, a);
      actions.push(a);
    }
    await executePlan(actions, { engine: session.engine, project, progress, quietPull: !!flags.quiet, parallel: session.parallel, sleep: session.sleep });
  } catch (err) {
    progress.stop();
    const e = err as Error & { cause?: unknown };
    const cause = e.cause instanceof Error ? e.cause : e;
    throw new StatusError(18, (cause as { status?: number }).status !== undefined ? `Error response from daemon: ${cause.message}` : cause.message);
  }
  progress.stop();
};

export const push: CommandRun<typeof spec.push.flags> = async (ctx, args, flags) => {
  const project = selectedServices(loadFromFlags(ctx, flags).project, args, { dependencies: !!flags['include-deps'] });
  const session = sessionFor(ctx, flags);
  const tags: Array<{ service: string; tag: string }> = [];
  for (const name of Object.keys(project.services).sort()) {
    const service = project.services[name];
    if (!service.build || !service.image) continue;
    for (const tag of [service.image, ...(service.build.tags ?? [])]) tags.push({ service: name, tag });
  }
  await composeCall(pushTags(session, tags, { quiet: !!flags.quiet, ignoreFailures: !!flags['ignore-push-failures'] }));
};
