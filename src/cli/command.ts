// The shape of a berth command and what every command receives.
import type { Readable, Writable } from 'node:stream';
import type { Client } from '../client/index.ts';
import type { FlagSpec } from './flags.ts';

export interface CliContext {
  client(): Client;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  /** The program name used in messages ("berth"). */
  prog: string;
  configDir: string;
}

export interface Command {
  name: string;
  /** e.g. "[OPTIONS] IMAGE [COMMAND] [ARG...]" */
  usage: string;
  description: string;
  aliases?: string[];
  flags: Record<string, FlagSpec>;
  /** Stop parsing flags at the first argument (run, create, exec). */
  stopAtFirstArg?: boolean;
  minArgs?: number;
  maxArgs?: number;
  /** Exit status for flag and argument errors (docker: 125 for run/create/start…, 1 elsewhere). */
  usageErrorStatus?: number;
  run(ctx: CliContext, args: string[], flags: Record<string, unknown>): Promise<number | void>;
}

/** An error that ends the CLI with a given status, printing `message` when set. */
export class StatusError extends Error {
  readonly status: number;
  constructor(status: number, message = '') {
    super(message);
    this.status = status;
  }
}
