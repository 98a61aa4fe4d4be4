// Sessions that print and exit at once, run many times in a row on a terminal: the output and
// the exit code must arrive every time. Half the runs type a byte as soon as the client starts,
// so that stdin reaches conmon while (or after) the process exits — the case that used to lose
// the whole output.
import assert from 'node:assert/strict';
import { spawnPty } from './pty.ts';

export interface ShortSessionClient {
  command: string;
  prefix: string[];
  env: NodeJS.ProcessEnv;
}

export async function runShortSessions(client: ShortSessionClient, args: string[], runs = 50): Promise<void> {
  const failures: string[] = [];
  for (let i = 0; i < runs; i++) {
    const p = spawnPty(client.command, [...client.prefix, ...args], { env: client.env, rows: 30, cols: 100 });
    if (i % 2 === 1) p.write('\0');
    const code = await p.exited;
    const printed = await p.waitFor(/\/dev\/pts\/\d+\r*\n[\s\S]*done-7/, 2000).then(
      () => true,
      () => false,
    );
    if (code !== 7 || !printed) failures.push(`run ${i + 1}: exit ${code}, terminal showed ${JSON.stringify(p.output())}`);
  }
  assert.deepEqual(failures, [], `${failures.length} of ${runs} runs of ${args.join(' ')} lost output or exit code`);
}
