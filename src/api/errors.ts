// The one place errors become HTTP statuses, with dockerd's body shape {"message": "..."}.
import { errorKind, type ErrorKind } from '../errors/index.ts';

const statusByKind: Record<ErrorKind, number> = {
  'invalid-argument': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'not-modified': 304,
  unavailable: 503,
  'not-implemented': 501,
  system: 500,
};

export function httpStatus(err: unknown): number {
  return statusByKind[errorKind(err)];
}
