// events: the daemon's event stream, as docker prints it — one line per event with the time in
// RFC 3339 with nanoseconds, or each event through --format (json: the message as JSON).
import { jsonMessages, type EventMessage } from '../../../client/index.ts';
import type { CommandRun } from '../../command.ts';
import { executeTemplate } from '../../format.ts';
import { filterMap } from '../../flags.ts';
import { parseTimestampArg } from '../../time.ts';
import { asStruct } from '../../../template/index.ts';
import type { events } from './specs.ts';

/** Go's "2006-01-02T15:04:05.000000000Z07:00" in the local time zone. */
export function rfc3339NanoFixed(timeNano: number | bigint): string {
  const ns = BigInt(timeNano);
  const ms = Number(ns / 1_000_000n);
  const d = new Date(ms);
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(ms + offsetMin * 60_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  const zone = offsetMin === 0 ? 'Z' : `${offsetMin > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${frac}${zone}`;
}

/** docker's prettyPrintEvent. */
export function prettyEvent(e: EventMessage): string {
  let line = e.timeNano ? `${rfc3339NanoFixed(e.timeNano)} ` : e.time ? `${rfc3339NanoFixed(BigInt(e.time) * 1_000_000_000n)} ` : '';
  line += `${e.Type} ${e.Action} ${e.Actor.ID}`;
  const keys = Object.keys(e.Actor.Attributes ?? {}).sort();
  if (keys.length) line += ` (${keys.map((k) => `${k}=${e.Actor.Attributes[k]}`).join(', ')})`;
  return line;
}

/** The message as the Go struct templates see (events.Message's field names). */
function goMessage(e: EventMessage): object {
  return asStruct(
    {
      Status: e.status ?? '',
      ID: e.id ?? '',
      From: e.from ?? '',
      Type: e.Type,
      Action: e.Action,
      Actor: asStruct({ ID: e.Actor.ID, Attributes: e.Actor.Attributes }, 'events.Actor'),
      Scope: e.scope,
      Time: e.time,
      TimeNano: e.timeNano,
    },
    'events.Message',
  );
}

export const showEvents: CommandRun<typeof events.flags> = async (ctx, _args, flags) => {
  const format = flags.format === 'json' ? '{{json .}}' : flags.format;
  // a bad template fails before anything is read, as docker checks it on an empty message
  if (format && format !== '{{json .}}') executeTemplate(format, goMessage({ Type: '', Action: '', Actor: { ID: '', Attributes: {} }, scope: '', time: 0, timeNano: 0 }));
  const filters = filterMap(flags.filter);
  const res = await ctx.client().system.events({
    ...(flags.since ? { since: parseTimestampArg(flags.since) } : {}),
    ...(flags.until ? { until: parseTimestampArg(flags.until) } : {}),
    ...(Object.keys(filters).length ? { filters } : {}),
  });
  for await (const m of jsonMessages(res)) {
    const e = m as unknown as EventMessage;
    const line = !format ? prettyEvent(e) : format === '{{json .}}' ? JSON.stringify(e) : executeTemplate(format, goMessage(e));
    if (!ctx.stdout.write(line + '\n')) await new Promise((r) => ctx.stdout.once('drain', r));
  }
};
