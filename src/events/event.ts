// An event as dockerd sends it on GET /events (api/types/events.Message): the actor and what it
// did, with the legacy status/id/from fields that API clients before 1.22 read, kept for
// containers and images as dockerd keeps them.

export type EventType = 'container' | 'image' | 'network' | 'volume' | 'daemon';

export interface EventActor {
  ID: string;
  Attributes: Record<string, string>;
}

export interface EngineEvent {
  /** Legacy (containers and images): the action. */
  status?: string;
  /** Legacy (containers and images): the actor's id. */
  id?: string;
  /** Legacy (containers): the image attribute, when there is one. */
  from?: string;
  Type: EventType;
  Action: string;
  Actor: EventActor;
  scope: 'local';
  /** Seconds since the epoch. */
  time: number;
  /** Nanoseconds since the epoch (a JSON number, as dockerd's int64). */
  timeNano: number;
}

/** An event with what the bus adds to it: an exact time and its place in the sequence. */
export interface RecordedEvent {
  /** Increases by one per event published: replay stops where the live stream takes over. */
  seq: number;
  /** The exact time; `event.timeNano` is the same value rounded to a double. */
  ns: bigint;
  event: EngineEvent;
}

/** Builds the message in dockerd's field order (status, id, from first, as its JSON has them). */
export function makeEvent(type: EventType, action: string, id: string, attributes: Record<string, string>, ns: bigint): EngineEvent {
  const legacy: Pick<EngineEvent, 'status' | 'id' | 'from'> = {};
  if (type === 'container' || type === 'image') {
    legacy.status = action;
    // Go's omitempty: a prune event has no actor id
    if (id) legacy.id = id;
    if (type === 'container' && attributes.image) legacy.from = attributes.image;
  }
  return {
    ...legacy,
    Type: type,
    Action: action,
    // dockerd's attributes are a Go map, which its JSON encoder writes in key order
    Actor: { ID: id, Attributes: Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) },
    scope: 'local',
    time: Number(ns / 1_000_000_000n),
    timeNano: Number(ns),
  };
}
