// Shared helpers with no subsystem knowledge: atomic files, logging, ids, units, names, signals,
// child processes, and the clock port. Nothing here imports a subsystem but src/errors.
export { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic, readJson, removeAtomicTemps, syncDir } from './atomic.ts';
export { createLogger, silentLogger, isLogLevel, type Logger, type LogLevel } from './log.ts';
export { newId, shortId, sha256Hex, isHexId } from './ids.ts';
export { byteOrder } from './order.ts';
export { secureJoin, walkInRoot, type WalkInRootOptions } from './secure-join.ts';
export {
  humanDuration,
  humanSize,
  bytesSize,
  parseRamInBytes,
  parseSize,
  parseGoDuration,
  formatGoDuration,
  parseTimestamp,
  formatRfc3339Nano,
  goZeroTime,
  goQuote,
  parseUnixTimestamp,
} from './units.ts';
export { generateName } from './names.ts';
export { faultPoint } from './fault.ts';
export { SkippedRecords, type RecordKind } from './skipped-records.ts';
export {
  quote,
  quoteRune,
  unquote,
  unquoteChar,
  canBackquote,
  isPrint,
  parseUint,
  parseInt,
  parseFloat,
  parseBool,
  underscoreOK,
  formatFloat,
  NumError,
  StrconvSyntaxError,
} from './strconv.ts';
export { parseSignal, signalName, type Signal } from './signals.ts';
export { parseDetachKeys, DetachScanner, defaultDetachKeys } from './detach-keys.ts';
export { runProgram, execProgram, ProgramError, type ProgramResult, type RunProgramOptions } from './exec.ts';
export { directorySize, type DirectorySizeOptions } from './dir-size.ts';
export { systemClock, FakeClock, type Clock, type ClockTimer } from './clock.ts';
export { importPart } from './lazy-import.ts';
export { parsePortSpec, type PortSpecMapping } from './port-spec.ts';
export { parsePlatform, formatPlatform, samePlatform, hostPlatform, type Platform } from './platform.ts';
export { parseUlimit, type UlimitValue } from './ulimit.ts';
