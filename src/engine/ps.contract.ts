// What a ProcessTable must do for top, run against FakeProcessTable in the unit tier (top.test.ts)
// and the host's ps in test/integration/ports/: the output forms top parses, with a known process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessTable } from './ps.ts';
import { parsePsOutput } from './top.ts';

export interface ProcessTableSubject {
  table: ProcessTable;
  /** A process the table lists, and a word of its command line. */
  pid: number;
  command: string;
}

export function processTableContract(name: string, make: () => ProcessTableSubject): void {
  describe(`ProcessTable contract: ${name}`, () => {
    for (const [form, args, firstTitles] of [
      ['-ef', ['-ef'], ['UID', 'PID', 'PPID']],
      ['aux', ['aux'], ['USER', 'PID']],
      ['-o pid,comm', ['-o', 'pid,comm'], ['PID', 'COMMAND']],
    ] as const) {
      it(`${form}: titles with PID, and a row for the known process naming its command`, async () => {
        const { table, pid, command } = make();
        const result = parsePsOutput(await table.ps(args), new Set([pid]));
        assert.deepEqual(result.Titles.slice(0, firstTitles.length), firstTitles);
        assert.equal(result.Processes.length, 1);
        assert.equal(result.Processes[0][result.Titles.indexOf('PID')], String(pid));
        assert.match(result.Processes[0].at(-1)!, new RegExp(command));
      });
    }

    it('refuses an option ps does not know, saying it was ps', async () => {
      const { table } = make();
      await assert.rejects(table.ps(['--no-such-option']), { kind: 'system', message: /^ps: / });
    });
  });
}
