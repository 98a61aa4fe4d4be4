// GET /events: the event stream as dockerd serves it, one JSON message per line, first the
// recorded events from `since` (or up to `until`), then live ones until `until` or the client
// goes. A subscriber ended for reading too slowly is cut off (see events/bus.ts), so that its
// client sees the stream end rather than silently miss events.
import { InvalidArgument } from '../errors/index.ts';
import type { EventFilters, EventSubscription, SubscribeOptions } from '../events/index.ts';
import { parseUnixTimestamp } from '../lib/index.ts';
import { q } from './query.ts';
import type { Router } from './router.ts';
import { writeAsync } from './stream.ts';

export interface EventsBackend {
  subscribe(options: SubscribeOptions): EventSubscription;
}

const filterKeys = new Set(['config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume']);
const types = new Set(['builder', 'config', 'container', 'daemon', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'volume']);

/** dockerd's eventTime: empty is no bound; otherwise seconds since the epoch, with a fraction. */
function timeParam(v: string | undefined): bigint | undefined {
  if (v === undefined || v === '') return undefined;
  return parseUnixTimestamp(v);
}

export function eventFilters(filters: Map<string, string[]>): EventFilters {
  for (const key of filters.keys()) if (!filterKeys.has(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  for (const t of filters.get('type') ?? []) if (!types.has(t)) throw new InvalidArgument(`invalid filter 'type=${t}'`);
  for (const s of filters.get('scope') ?? []) if (s !== 'local' && s !== 'swarm') throw new InvalidArgument(`invalid filter 'scope=${s}'`);
  return filters;
}

const eventsQuery = { since: q.string(), until: q.string(), filters: q.filters() };

export function registerEventRoutes(router: Router, backend: EventsBackend): void {
  router.get('/events', { query: eventsQuery, body: 'none' }, async (ctx) => {
    const since = timeParam(ctx.query.since);
    const until = timeParam(ctx.query.until);
    if (since !== undefined && until !== undefined && until < since) {
      throw new InvalidArgument(`\`since\` time (${ctx.query.since}) cannot be after \`until\` time (${ctx.query.until})`);
    }
    const filters = eventFilters(ctx.query.filters);
    const sub = backend.subscribe({ ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}), filters, signal: ctx.signal });
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    try {
      for await (const e of sub) await writeAsync(res, JSON.stringify(e) + '\n');
      res.end();
    } catch {
      // the client went away, or it read too slowly and was ended: cut the stream
      sub.close();
      res.destroy();
    }
  });
}
