// Container logs: the drivers (json-file, local, syslog, none, and Berth's k8s-file), the
// pipeline from conmon's output to them, and the readers behind `logs`. Used by the engine; the
// runtime only writes what conmon is told to.
export { LogService, type ConmonLog, type LoggingOptions, type PreparedLog } from './service.ts';
export { mergeLogConfig, validateLogConfig, logPathFor, isLegacyLog, driverNames, type DriverName } from './drivers.ts';
export type { ContainerLogInfo, HostIdentity } from './info.ts';
export type { LegacyFollow } from './legacy.ts';
export type { LogEntry, LogStream } from './message.ts';
export type { ReadOptions } from './reader.ts';
export type { UnixDatagramPort } from './syslog.ts';
export { compareTime, timeFromNs, timeToNs, rfc3339Nano, rfc3339NanoFixed, parseRfc3339, type LogTime } from './time.ts';
