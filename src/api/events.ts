// GET /events: the daemon's event stream, one JSON message a line, replaying recorded events
// from `since`, then live ones until `until` or the client goes away (dockerd's
// router/system/system_routes.go getEvents). The bus (src/events) does the matching and replay.
import { InvalidArgument } from '../errors/index.ts';
import { parseUnixTimestamp } from '../lib/index.ts';
import { filtersParam } from './params.ts';
import type { Router } from './router.ts';
import { writeAsync } from './stream.ts';

/** What the route needs of the bus: a subscription as an async iterable it can end. */
export interface EventsBackend {
  subscribe(options: { since?: bigint; until?: bigint; filters?: ReadonlyMap<string, readonly string[]>; signal?: AbortSignal }): AsyncIterable<unknown>;
}

const acceptedFilters = new Set(['config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume']);

function timeParam(q: URLSearchParams, name: string): bigint | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  return parseUnixTimestamp(v);
}

export function registerEventRoutes(router: Router, backend: EventsBackend): void {
  router.get('/events', async (ctx) => {
    const filters = filtersParam(ctx.query);
    for (const key of filters.keys()) if (!acceptedFilters.has(key)) throw new InvalidArgument(`invalid filter '${key}'`);
    const since = timeParam(ctx.query, 'since');
    const until = timeParam(ctx.query, 'until');
    if (since !== undefined && until !== undefined && since > until) {
      throw new InvalidArgument(`\`since\` time (${ctx.query.get('since')}) cannot be after \`until\` time (${ctx.query.get('until')})`);
    }
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    // The head goes out at once: clients wait for it before they act (compose starts containers
    // only once its watch is in place).
    res.flushHeaders();
    try {
      for await (const event of backend.subscribe({ since, until, filters, signal: ctx.signal })) {
        await writeAsync(res, `${JSON.stringify(event)}\n`);
      }
    } catch {
      // The client went away, or lagged so far behind that the bus ended its subscription: either
      // way the stream ends here, and a client that is still there resubscribes with `since`.
    }
    if (!res.destroyed) res.end();
  });
}
