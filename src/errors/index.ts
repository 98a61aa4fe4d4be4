// The fixed set of error kinds every subsystem throws. The API edge maps each kind to one HTTP
// status (api/errors.ts) and the CLI maps statuses back to exit codes; messages are dockerd's
// wording where clients or users depend on them.

export type ErrorKind =
  | 'invalid-argument'
  | 'not-found'
  | 'conflict'
  | 'not-modified'
  | 'forbidden'
  | 'unauthorized'
  | 'unavailable'
  | 'not-implemented'
  | 'system';

export class BerthError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = new.target.name;
  }
}

export class InvalidArgument extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid-argument', message, options);
  }
}

export class NotFound extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not-found', message, options);
  }
}

export class Conflict extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

/** The request asked for a state the object already has (e.g. starting a running container). */
export class NotModified extends BerthError {
  constructor(message = 'not modified') {
    super('not-modified', message);
  }
}

export class Forbidden extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('forbidden', message, options);
  }
}

export class Unauthorized extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unauthorized', message, options);
  }
}

export class Unavailable extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
  }
}

/**
 * A feature of the Engine API that Berth does not provide (plugins, swarm mode), or a request the
 * object cannot carry out (logs of a log driver that keeps none); reported as 501.
 */
export class NotImplemented extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not-implemented', message, options);
  }
}

/** A failure of the machine or of a tool Berth runs (runc, conmon, mount); reported as 500. */
export class SystemError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('system', message, options);
  }
}

export function errorKind(err: unknown): ErrorKind {
  return err instanceof BerthError ? err.kind : 'system';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True when `err` is a Node system error with the given code (ENOENT, EEXIST…). */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
