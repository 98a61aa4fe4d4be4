// dockerd's event filters (daemon/events/filter.go) over the filters of GET /events: every key
// given must match. `container`, `network`, `volume` and `daemon` match the actor's id or name
// by prefix (so a container filter also lets through other events whose actor id starts the
// same, as in dockerd); `image` matches an image's id or name, or a container's image attribute,
// with or without its tag; `event` is exact except for the bare exec_create, exec_start and
// health_status, which match by prefix ("exec_start: sh -c …"); `label` matches attributes.
import { familiarName, parseReference } from '../image/index.ts';
import type { EngineEvent } from './event.ts';

export type EventFilters = ReadonlyMap<string, readonly string[]>;

const fuzzyEvents = new Set(['health_status', 'exec_create', 'exec_start']);

/** filters.Args.ExactMatch: no values for the key match everything. */
function exact(filters: EventFilters, key: string, value: string): boolean {
  const want = filters.get(key);
  return !want?.length || want.includes(value);
}

/** filters.Args.FuzzyMatch: exact, or a value that is a prefix of the source. */
function fuzzy(filters: EventFilters, key: string, value: string): boolean {
  const want = filters.get(key);
  return !want?.length || want.some((w) => value.startsWith(w));
}

/** filters.Args.MatchKVList: each `key` or `key=value` must be among the attributes. */
function labels(filters: EventFilters, attributes: Record<string, string>): boolean {
  const want = filters.get('label');
  if (!want?.length) return true;
  if (Object.keys(attributes).length === 0) return false;
  return want.every((w) => {
    const eq = w.indexOf('=');
    const key = eq < 0 ? w : w.slice(0, eq);
    if (!Object.hasOwn(attributes, key)) return false;
    return eq < 0 || attributes[key] === w.slice(eq + 1);
  });
}

/** The repository without tag or digest, in its familiar form; the input when it is no reference. */
function stripTag(image: string): string {
  try {
    return familiarName(parseReference(image));
  } catch {
    return image;
  }
}

function byName(filters: EventFilters, type: string, e: EngineEvent): boolean {
  return fuzzy(filters, type, e.Actor.ID) || fuzzy(filters, type, e.Actor.Attributes.name ?? '');
}

function image(filters: EventFilters, e: EngineEvent): boolean {
  const name = e.Actor.Attributes[e.Type === 'image' ? 'name' : 'image'] ?? '';
  const id = e.Actor.ID;
  return exact(filters, 'image', id) || exact(filters, 'image', name) || exact(filters, 'image', stripTag(id)) || exact(filters, 'image', stripTag(name));
}

export function eventMatcher(filters: EventFilters): (e: EngineEvent) => boolean {
  if (![...filters.values()].some((v) => v.length)) return () => true;
  const eventFuzzy = (filters.get('event') ?? []).some((v) => fuzzyEvents.has(v));
  return (e) =>
    (eventFuzzy ? fuzzy(filters, 'event', e.Action) : exact(filters, 'event', e.Action)) &&
    exact(filters, 'type', e.Type) &&
    exact(filters, 'scope', e.scope) &&
    byName(filters, 'daemon', e) &&
    byName(filters, 'container', e) &&
    byName(filters, 'plugin', e) &&
    byName(filters, 'volume', e) &&
    byName(filters, 'network', e) &&
    image(filters, e) &&
    byName(filters, 'node', e) &&
    byName(filters, 'service', e) &&
    byName(filters, 'secret', e) &&
    byName(filters, 'config', e) &&
    labels(filters, e.Actor.Attributes);
}
