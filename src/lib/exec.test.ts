import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgramError, execProgram, runProgram } from './exec.ts';

describe('runProgram and execProgram', () => {
  it('return the output of a program that succeeded', async () => {
    assert.deepEqual(await execProgram('sh', ['-c', 'echo out; echo err >&2']), { stdout: 'out\n', stderr: 'err\n' });
    assert.deepEqual(await runProgram('sh', ['-c', 'exit 0']), { code: 0, stdout: '', stderr: '' });
  });

  it('feed stdin and run in the given directory', async () => {
    assert.equal((await execProgram('cat', [], { input: 'hello' })).stdout, 'hello');
    assert.equal((await execProgram('pwd', [], { cwd: '/proc' })).stdout, '/proc\n');
  });

  it('report a non-zero exit with its status and output, without rejecting', async () => {
    const r = await runProgram('sh', ['-c', 'echo partial; echo broken >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'partial\n');
    assert.equal(r.stderr, 'broken\n');
  });

  it('reject a failed run with the command line and its stderr, or its exit status', async () => {
    await assert.rejects(execProgram('sh', ['-c', 'echo no such thing >&2; exit 2']), (err: unknown) => {
      assert.ok(err instanceof ProgramError);
      assert.equal(err.message, 'sh -c echo no such thing >&2; exit 2: no such thing');
      assert.equal(err.code, 2);
      assert.equal(err.stderr, 'no such thing\n');
      return true;
    });
    await assert.rejects(execProgram('false', []), { message: 'false: exit status 1' });
  });

  it('say so when the program cannot be started', async () => {
    const r = await runProgram('/nonexistent/berth-program', ['x']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /ENOENT/);
    await assert.rejects(execProgram('/nonexistent/berth-program', []), /berth-program: .*ENOENT/);
  });

  it('kill a program that outlives its timeout', async () => {
    const r = await runProgram('sleep', ['5'], { timeoutMs: 50 });
    assert.equal(r.code, 1);
  });

  it('tolerate a program that exits without reading its input', async () => {
    const r = await runProgram('true', [], { input: 'x'.repeat(1 << 20) });
    assert.equal(r.code, 0);
  });
});
