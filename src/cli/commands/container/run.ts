// run and create: the create request from docker's container options, pulling the image when it
// is missing (or always, --pull), and for run the attached start and the container's exit code.
import { writeFileSync } from 'node:fs';
import { ApiError } from '../../../client/index.ts';
import type { CliContext, CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { detachKeysOption, showProgress } from '../../streams.ts';
import { registryAuthFor, registryOf } from '../registry/credentials.ts';
import { attachedStart } from './attached-start.ts';
import { buildCreateRequest, type CreateFlags } from './create-request.ts';
import type { create as createSpec, run as runSpec } from './specs.ts';

async function pullImage(ctx: CliContext, image: string, platform?: string): Promise<void> {
  const res = await ctx.client().images.pull(withDefaultTag(image), { platform, registryAuth: registryAuthFor(ctx, registryOf(image)) });
  await showProgress({ ...ctx, stdout: ctx.stderr }, res);
}

function isNoSuchImage(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && /No such image/.test(err.message);
}

function withDefaultTag(image: string): string {
  if (image.includes('@')) return image;
  const slash = image.lastIndexOf('/');
  return image.slice(slash + 1).includes(':') ? image : `${image}:latest`;
}

async function createContainer(ctx: CliContext, flags: CreateFlags, args: string[], detach: boolean, command: 'run' | 'create') {
  const [image, ...cmd] = args;
  let req;
  try {
    req = buildCreateRequest(flags, image, cmd, { detach });
  } catch (err) {
    // the docker CLI's own checks of the options: "docker: <why>", then where help is
    if (!(err instanceof StatusError)) throw err;
    throw new StatusError(err.status, `${ctx.prog}: ${err.message}\n\nRun '${ctx.prog} ${command} --help' for more information`);
  }
  const client = ctx.client();
  const pull = flags.pull;
  if (!['always', 'missing', 'never'].includes(pull)) throw new StatusError(125, `invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  if (pull === 'always') await pullImage(ctx, image, flags.platform);
  const create = () => client.containers.create(req.body, { name: req.name });
  let created;
  try {
    created = await create();
  } catch (err) {
    if (!isNoSuchImage(err) || pull === 'never') throw err;
    ctx.stderr.write(`Unable to find image '${withDefaultTag(image)}' locally\n`);
    await pullImage(ctx, image, flags.platform);
    created = await create();
  }
  for (const w of created.Warnings ?? []) ctx.stderr.write(`WARNING: ${w}\n`);
  if (flags.cidfile) writeFileSync(flags.cidfile, created.Id, { flag: 'wx' });
  return { id: created.Id, req };
}

/** docker's exit status for a failed `run`/`start`: 127 not found, 126 not executable, else 125. */
function runFailureStatus(err: unknown): number {
  const msg = err instanceof Error ? err.message : String(err);
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(msg)) return 127;
  if (/permission denied|is a directory/.test(msg)) return 126;
  return 125;
}

function runError(ctx: CliContext, err: unknown, status?: number): StatusError {
  if (err instanceof StatusError) return err;
  return new StatusError(status ?? runFailureStatus(err), `${ctx.prog}: ${daemonError(err)}\n\nRun '${ctx.prog} run --help' for more information`);
}

export const runContainer: CommandRun<typeof runSpec.flags> = async (ctx, args, flags) => {
  const detach = !!flags.detach;
  const detachKeys = detachKeysOption(flags['detach-keys']);
  if (!detach && flags.tty && flags.interactive && !ctx.stdin.isTTY) throw new StatusError(1, 'the input device is not a TTY');
  let id: string;
  let req;
  try {
    ({ id, req } = await createContainer(ctx, flags, args, detach, 'run'));
  } catch (err) {
    throw runError(ctx, err, 125);
  }
  const client = ctx.client();
  if (detach) {
    try {
      await client.containers.start(id);
    } catch (err) {
      throw runError(ctx, err);
    }
    ctx.stdout.write(`${id}\n`);
    return 0;
  }
  const session = await attachedStart(ctx, client, id, {
    tty: !!req.body.Tty,
    streams: req.attach,
    detachKeys,
    detachKeysFlag: flags['detach-keys'],
    condition: flags.rm ? 'removed' : 'next-exit',
    proxySignals: flags['sig-proxy'],
    startError: (err) => runError(ctx, err),
  });
  // The detach keys leave the container running: nothing to wait for.
  if (session.detached) return 0;
  const result = await session.exit.catch((err: unknown) => {
    if (err instanceof SyntaxError) return { StatusCode: 125, Error: { Message: 'unexpected end of wait response' } };
    throw err;
  });
  if (result.Error?.Message) ctx.stderr.write(`${ctx.prog}: ${result.Error.Message}\n`);
  return result.StatusCode;
};

export const createOnly: CommandRun<typeof createSpec.flags> = async (ctx, args, flags) => {
  try {
    const { id } = await createContainer(ctx, flags, args, true, 'create');
    ctx.stdout.write(`${id}\n`);
  } catch (err) {
    // unlike run, docker's create reports daemon errors plainly, with status 1
    if (err instanceof StatusError) throw err;
    throw new StatusError(1, daemonError(err));
  }
};
