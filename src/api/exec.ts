// /containers/{id}/exec and /exec/*: exec sessions. Start is hijacked like attach unless detached;
// a process that cannot be started has its error written into the stream, as dockerd does, and
// the client reads the exit code (126/127) from /exec/{id}/json.
import type { AttachSession, ExecStartOptions, OutputWriter } from '../engine/index.ts';
import { go } from '../schema/index.ts';
import type { ExecConfig } from '../types/index.ts';
import { sendJson } from './json.ts';
import { q } from './query.ts';
import type { Router } from './router.ts';
import { detachKeysParam, pumpSession } from './session.ts';
import { frame, streamContentType, writeAsync } from './stream.ts';

export interface ExecBackend {
  createExec(ref: string, req: ExecConfig): { Id: string };
  startExec(id: string, options: ExecStartOptions, write: OutputWriter): Promise<AttachSession | undefined>;
  execIsTty(id: string): boolean;
  inspectExec(id: string): Record<string, unknown>;
  resizeExec(id: string, size: { height: number; width: number }): Promise<void>;
}

/** A terminal's height and width: the kernel's winsize holds unsigned shorts. */
const consoleSize = go.nullable(go.array(go.int('uint16'), 2));

/** types.ExecConfig. */
const execCreateBody = go.struct('types.ExecConfig', {
  User: go.string(),
  Privileged: go.bool(),
  Tty: go.bool(),
  ConsoleSize: consoleSize,
  AttachStdin: go.bool(),
  AttachStdout: go.bool(),
  AttachStderr: go.bool(),
  Detach: go.bool(),
  DetachKeys: go.string(),
  Env: go.nullable(go.slice(go.string())),
  WorkingDir: go.string(),
  Cmd: go.nullable(go.slice(go.string())),
});

/** types.ExecStartCheck. */
const execStartBody = go.struct('types.ExecStartCheck', { Detach: go.bool(), Tty: go.bool(), ConsoleSize: consoleSize });

export function registerExecRoutes(router: Router, backend: ExecBackend): void {
  router.post('/containers/:id/exec', { query: {}, body: execCreateBody }, async (ctx) => {
    const body: ExecConfig = ctx.body;
    if (body.DetachKeys) detachKeysParam(body.DetachKeys);
    sendJson(ctx.res, 201, backend.createExec(ctx.params.id, body));
  });
  router.post('/exec/:id/start', { query: {}, body: execStartBody }, async (ctx) => {
    const body = ctx.body;
    const id = ctx.params.id;
    const tty = backend.execIsTty(id);
    const inspect = backend.inspectExec(id) as { OpenStdin: boolean; DetachKeys: string };
    const options: ExecStartOptions = {
      detach: !!body.Detach,
      ...(body.ConsoleSize && body.ConsoleSize[0] > 0 ? { consoleSize: { height: body.ConsoleSize[0], width: body.ConsoleSize[1] } } : {}),
      detachKeys: detachKeysParam(inspect.DetachKeys),
    };
    if (options.detach) {
      await backend.startExec(id, options, () => {});
      ctx.res.writeHead(200).end();
      return;
    }
    const conn = await ctx.hijack(streamContentType(ctx.version, tty));
    const write: OutputWriter = (stream, data) => writeAsync(conn, tty ? data : frame(stream, data));
    let session: AttachSession | undefined;
    try {
      session = await backend.startExec(id, options, write);
    } catch (err) {
      const text = Buffer.from(`${(err as Error).message}\r\n`);
      conn.end(tty ? text : frame('stdout', text));
      return;
    }
    if (!session) {
      conn.end();
      return;
    }
    await pumpSession(conn, session, { stdin: inspect.OpenStdin });
  });
  router.post('/exec/:id/resize', { query: { h: q.int({ min: 0, max: 65535 }), w: q.int({ min: 0, max: 65535 }) }, body: 'none' }, async (ctx) => {
    await backend.resizeExec(ctx.params.id, { height: ctx.query.h ?? 0, width: ctx.query.w ?? 0 });
    ctx.res.writeHead(200).end();
  });
  router.get('/exec/:id/json', { query: {}, body: 'none' }, (ctx) => {
    sendJson(ctx.res, 200, backend.inspectExec(ctx.params.id));
  });
}
