// Every route berthd serves, registered on one router with backends that are never called: what
// the route-level tests walk. Each register*Routes function the API exports is found by its name,
// so a route file added later is covered without touching the tests.
import * as api from './index.ts';
import { Router } from './router.ts';

const unusedBackend: unknown = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('a route test called a backend');
    },
  },
);

export function allRoutes(): Router {
  const router = new Router();
  for (const [name, value] of Object.entries(api)) {
    if (/^register\w*Routes$/.test(name) && typeof value === 'function') {
      (value as (...args: unknown[]) => void)(router, unusedBackend, unusedBackend, unusedBackend);
    }
  }
  return router;
}
