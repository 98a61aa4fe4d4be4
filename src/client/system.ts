// /version, /info, /system/df.
import type { DiskUsage, SystemInfo, SystemVersion } from '../types/index.ts';
import type { Transport } from './transport.ts';

export class System {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  version(): Promise<SystemVersion> {
    return this.#t.get('/version');
  }

  info(): Promise<SystemInfo> {
    return this.#t.get('/info');
  }

  diskUsage(): Promise<DiskUsage> {
    return this.#t.get('/system/df');
  }
}
