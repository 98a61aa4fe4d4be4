// How `berth compose` builds a service's image: the context directory packed as the docker CLI
// packs it (.dockerignore applied while walking, the Dockerfile kept), streamed to POST /build
// with the service's build keys as dockerd's classic build parameters, the daemon's output shown
// as it comes. A failure ends the command with compose's BuildFailure status (17).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Transform } from 'node:stream';
import type { BuildAction, Session } from '../../../compose/index.ts';
import { humanSize } from '../../../lib/index.ts';
import { StatusError } from '../../errors.ts';
import { packContext } from '../../build-context.ts';

export interface BuildExtras {
  quiet: boolean;
  /** --build-arg of `compose build`, over the file's args. */
  buildArgs?: Record<string, string | null>;
  noCache?: boolean;
  pull?: boolean;
}

export async function buildService(session: Session, action: BuildAction, extras: BuildExtras): Promise<string> {
  const b = action.build;
  const context = b.context;
  if (/^(https?|git):\/\/|^git@|\.git(#.*)?$/.test(context)) {
    throw new StatusError(17, `service ${JSON.stringify(action.service)}: remote build contexts (${context}) are not supported; clone the repository and build from its directory`);
  }
  if (!existsSync(context) || !statSync(context).isDirectory()) throw new StatusError(17, `unable to prepare context: path ${JSON.stringify(context)} not found`);

  // The Dockerfile: inline, inside the context (sent as it is), or outside it (added to the archive).
  const extra: Array<{ name: string; data: Buffer }> = [];
  let dockerfile = b.dockerfile ?? 'Dockerfile';
  let fromOutside = false;
  if (b.dockerfile_inline !== undefined) {
    dockerfile = `.dockerfile.${randomBytes(10).toString('hex')}`;
    extra.push({ name: dockerfile, data: Buffer.from(b.dockerfile_inline) });
    fromOutside = true;
  } else {
    const abs = isAbsolute(dockerfile) ? dockerfile : resolve(context, dockerfile);
    const rel = relative(context, abs);
    if (!existsSync(abs)) throw new StatusError(17, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${abs}: no such file or directory`);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      dockerfile = `.dockerfile.${randomBytes(10).toString('hex')}`;
      extra.push({ name: dockerfile, data: readFileSync(abs) });
      fromOutside = true;
    } else dockerfile = rel.split('\\').join('/');
  }

  const tar = await packContext(context, { dockerfile, dockerfileFromStdin: fromOutside, extra });
  let sent = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      cb(null, chunk);
    },
  });
  tar.on('error', (err) => counting.destroy(err));
  tar.pipe(counting);

  const labels = { ...(b.labels ?? {}), 'com.docker.compose.image.builder': 'classic' };
  const extraHosts = Object.entries(b.extra_hosts ?? {}).flatMap(([h, ips]) => ips.map((ip) => `${h}:${ip}`));
  const platform = b.platforms?.[0] ?? '';
  let imageId = '';
  try {
    const stream = await session.engine.buildImage(counting, {
      tags: [action.image, ...(b.tags ?? [])],
      dockerfile,
      buildArgs: { ...(b.args ?? {}), ...(extras.buildArgs ?? {}) },
      ...(b.target ? { target: b.target } : {}),
      labels,
      ...(b.cache_from && b.cache_from.length > 0 ? { cacheFrom: b.cache_from } : {}),
      ...(b.network ? { network: b.network } : {}),
      ...(b.shm_size ? { shmSize: b.shm_size } : {}),
      ...(extraHosts.length > 0 ? { extraHosts } : {}),
      ...(b.no_cache || extras.noCache ? { noCache: true } : {}),
      ...(b.pull || extras.pull ? { pull: true } : {}),
      ...(platform ? { platform } : {}),
      ...(b.isolation ? { isolation: b.isolation } : {}),
    });
    let announced = false;
    for await (const m of stream) {
      if (!announced && !extras.quiet) {
        session.stdout.write(`Sending build context to Docker daemon  ${humanSize(sent, 4)}\n`);
        announced = true;
      }
      if (m.error || m.errorDetail) throw new StatusError(m.errorDetail?.code || 17, m.errorDetail?.message ?? m.error ?? 'build failed');
      const aux = m.aux as { ID?: string } | undefined;
      if (aux?.ID) imageId = aux.ID;
      if (m.stream !== undefined && !extras.quiet) session.stdout.write(m.stream);
      else if (m.status !== undefined && !extras.quiet) session.stdout.write(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
    }
  } catch (err) {
    if (err instanceof StatusError) throw err;
    const message = (err as Error).message;
    const status = (err as { status?: number }).status;
    // Every dockerd has POST /build: a 404 means a daemon without an image builder.
    if (status === 404 && /page not found/.test(message)) throw new StatusError(17, `Error response from daemon: ${message} (the daemon does not implement POST /build: it cannot build images)`);
    throw new StatusError(17, status !== undefined ? `Error response from daemon: ${message}` : message);
  }
  return imageId;
}
