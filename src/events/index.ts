// Events: the one bus every service publishes to (through a narrow port each declares) and that
// GET /events reads; past events kept for `since` (in memory, or in the on-disk journal) and
// dockerd's filters. It owns no resource and never calls back into a publisher: it only records
// and hands out what it is told.
export { EventBus, defaultBufferLimit, type EventBusOptions, type EventSubscription, type SubscribeOptions } from './bus.ts';
export { makeEvent, type EngineEvent, type EventActor, type EventType, type RecordedEvent } from './event.ts';
export { eventMatcher, type EventFilters } from './filter.ts';
export { RingHistory, defaultHistorySize, type EventHistory, type ReplayRange } from './history.ts';
export { JournalHistory, defaultSegmentSize } from './journal.ts';
