// The error codes of the OCI distribution spec (and distribution's errcode registry, whose
// messages and statuses clients print and match on), and the one error class handlers throw.
// The server turns it into `{"errors":[{"code","message","detail"}]}` in one place.

export const errorCodes = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'The operation is unsupported.' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  RANGE_INVALID: { status: 416, message: 'invalid content range' },
  UNKNOWN: { status: 500, message: 'unknown error' },
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class RegistryApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: unknown;
  /** Extra response headers (WWW-Authenticate on a 401, Range on a 416). */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, o: { message?: string; detail?: unknown; status?: number; headers?: Record<string, string> } = {}) {
    super(o.message ?? errorCodes[code].message);
    this.code = code;
    this.status = o.status ?? errorCodes[code].status;
    this.detail = o.detail;
    this.headers = o.headers ?? {};
  }

  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message, ...(this.detail === undefined ? {} : { detail: this.detail }) }] });
  }
}

export const apiError = (code: ErrorCode, o: { message?: string; detail?: unknown; status?: number; headers?: Record<string, string> } = {}) => new RegistryApiError(code, o);
