// /containers/{id}/exec and /exec/*: exec sessions. Start is hijacked like attach unless detached;
// a process that cannot be started has its error written into the stream, as dockerd does, and
// the client reads the exit code (126/127) from /exec/{id}/json.
import type { AttachSession, ExecCreateRequest, ExecStartOptions, OutputWriter } from '../engine/index.ts';
import { InvalidArgument } from '../errors/index.ts';
import { sendJson } from './json.ts';
import { intParam } from './params.ts';
import type { Router } from './router.ts';
import { detachKeysParam, pumpSession } from './session.ts';
import { frame, streamContentType, writeAsync } from './stream.ts';

export interface ExecBackend {
  createExec(ref: string, req: ExecCreateRequest): { Id: string };
  startExec(id: string, options: ExecStartOptions, write: OutputWriter): Promise<AttachSession | undefined>;
  execIsTty(id: string): boolean;
  inspectExec(id: string): Record<string, unknown>;
  resizeExec(id: string, size: { height: number; width: number }): Promise<void>;
}

export function registerExecRoutes(router: Router, backend: ExecBackend): void {
  router.post('/containers/:id/exec', async (ctx) => {
    const body = await ctx.json<ExecCreateRequest>();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidArgument('invalid JSON: expected an object');
    if (body.DetachKeys) detachKeysParam(body.DetachKeys);
    sendJson(ctx.res!, 201, backend.createExec(ctx.params.id, body));
  });
  router.post('/exec/:id/start', async (ctx) => {
    const body = await ctx.json<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }>();
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
      ctx.res!.writeHead(200).end();
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
  router.post('/exec/:id/resize', async (ctx) => {
    const h = intParam(ctx.query, 'h') ?? 0;
    const w = intParam(ctx.query, 'w') ?? 0;
    await backend.resizeExec(ctx.params.id, { height: h, width: w });
    ctx.res!.writeHead(200).end();
  });
  router.get('/exec/:id/json', (ctx) => {
    sendJson(ctx.res!, 200, backend.inspectExec(ctx.params.id));
  });
}
