// The Engine API client: one transport, a typed namespace per resource. Used by the berth CLI
// and, later, compose and the web dashboard; it speaks only the documented API, so it works
// against any Docker-compatible daemon.
import { Archive } from './archive.ts';
import { Builder } from './builder.ts';
import { Containers } from './containers.ts';
import { Exec } from './exec.ts';
import { Images } from './images.ts';
import { Networks } from './networks.ts';
import { Registry } from './registry.ts';
import { System } from './system.ts';
import { Transport, type ClientOptions } from './transport.ts';
import { Volumes } from './volumes.ts';

export class Client {
  readonly containers: Containers;
  readonly images: Images;
  readonly networks: Networks;
  readonly volumes: Volumes;
  readonly exec: Exec;
  readonly system: System;
  readonly registry: Registry;
  readonly archive: Archive;
  readonly builder: Builder;
  readonly #transport: Transport;

  constructor(options: ClientOptions) {
    const t = new Transport(options);
    this.#transport = t;
    this.containers = new Containers(t);
    this.images = new Images(t);
    this.networks = new Networks(t);
    this.volumes = new Volumes(t);
    this.exec = new Exec(t);
    this.system = new System(t);
    this.registry = new Registry(t);
    this.archive = new Archive(t);
    this.builder = new Builder(t);
  }

  /** The daemon's address, as given. */
  get host(): string {
    return this.#transport.host;
  }

  /** The API version in use: the daemon's, capped at ours (asked once). */
  apiVersion(): Promise<string> {
    return this.#transport.version();
  }

  close(): void {
    this.#transport.close();
  }
}
