import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chompHeredocContent, dumpAst, formatParseWarnings, parseDockerfile, parseWords } from './parser.ts';
import { dockerfileTestdata } from '../../test/helpers/reference.ts';

describe('parser against BuildKit fixtures', () => {
  it('every testfiles case dumps to its result', (t) => {
    const dir = join(dockerfileTestdata(), 'parser', 'testfiles');
    const cases = readdirSync(dir).sort();
    const failures: string[] = [];
    for (const name of cases) {
      const expected = readFileSync(join(dir, name, 'result'), 'utf8');
      try {
        const got = dumpAst(parseDockerfile(readFileSync(join(dir, name, 'Dockerfile'))).instructions) + '\n';
        if (got !== expected) failures.push(`${name}:\n--- expected\n${expected}--- got\n${got}`);
      } catch (err) {
        failures.push(`${name}: ${(err as Error).message}`);
      }
    }
    t.diagnostic(`parser fixtures: ${cases.length - failures.length}/${cases.length} pass`);
    assert.ok(cases.length >= 33, `only ${cases.length} fixtures`);
    assert.deepEqual(failures, []);
  });

  // BuildKit's testfiles-negative, written out here (the reference copy holds only the positive ones).
  it('fails where BuildKit fails', () => {
    assert.throws(() => parseDockerfile(''), /file with no instructions/);
    assert.throws(() => parseDockerfile('# Hello\n# These are just comments\n\n'), /file with no instructions/);
    assert.throws(() => parseDockerfile('FROM busybox\n\nENV PATH\n'), /^DockerfileParseError: dockerfile parse error on line 3: ENV must have two arguments$/);
    assert.throws(() => parseDockerfile('CMD [ "echo", [ "nested json" ] ]\n'), /arrays must be comprised of strings only/);
  });
});

describe('parser', () => {
  const dump = (text: string) => dumpAst(parseDockerfile(text).instructions);

  it('directives: escape, syntax (ignored with a note), check; once each, only at the top', () => {
    const r = parseDockerfile('# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended;error=true\n# escape=`\nFROM x\nRUN a `\n  b\n');
    assert.equal(r.escapeToken, '`');
    assert.equal(r.syntax, 'docker/dockerfile:1');
    assert.deepEqual(r.check, { skip: ['JSONArgsRecommended'], error: true });
    assert.equal(dumpAst(r.instructions), '(from "x")\n(run "a   b")');
    assert.match(r.warnings.find((w) => w.rule === 'SyntaxDirectiveIgnored')!.short, /syntax directive "docker\/dockerfile:1" is ignored/);
    assert.throws(() => parseDockerfile('# escape=\\\n# escape=`\nFROM x\n'), /line 2: only one escape parser directive can be used/);
    assert.throws(() => parseDockerfile('# escape=x\nFROM x\n'), /invalid escape token 'x' does not match ` or \\/);
    assert.equal(parseDockerfile('FROM x\n# escape=`\n').escapeToken, '\\');
    assert.equal(parseDockerfile('\ufeff# escape=`\nFROM x\n').escapeToken, '`');
  });

  it('continuations skip comments and warn about empty lines', () => {
    const r = parseDockerfile('FROM x\nRUN a \\\n# comment\n\n  b\n');
    assert.equal(dumpAst(r.instructions), '(from "x")\n(run "a   b")');
    assert.deepEqual(formatParseWarnings(r.warnings), ['[WARNING]: Empty continuation line found in: RUN a   b', '[WARNING]: Empty continuation lines will become errors in a future release.']);
    assert.deepEqual([r.instructions[1].startLine, r.instructions[1].endLine], [2, 5]);
  });

  it('heredocs: several on a line, <<- strips tabs, quoted delimiters turn expansion off', () => {
    const r = parseDockerfile(['FROM x', 'RUN <<EOF', 'echo $A', 'EOF', 'COPY <<-"ONE" <<TWO /dest/', '\tfirst', '\tONE', 'second', 'TWO', 'RUN ["cat", "<<EOF"]', 'ONBUILD RUN <<EOF', 'x', 'EOF', ''].join('\n'));
    const [, run, copy, json, onbuild] = r.instructions;
    assert.deepEqual(run.heredocs, [{ name: 'EOF', fileDescriptor: 0, expand: true, chomp: false, content: 'echo $A\n' }]);
    assert.deepEqual(
      copy.heredocs.map((h) => [h.name, h.expand, h.chomp, h.content]),
      [
        ['ONE', false, true, '\tfirst\n'],
        ['TWO', true, false, 'second\n'],
      ],
    );
    assert.equal(chompHeredocContent(copy.heredocs[0].content), 'first\n');
    assert.deepEqual([copy.startLine, copy.endLine], [5, 9]);
    assert.deepEqual(json.heredocs, []);
    assert.equal(onbuild.heredocs[0].content, 'x\n');
    assert.throws(() => parseDockerfile('FROM x\nRUN <<EOF\necho\n'), /line 2: unterminated heredoc/);
    assert.equal(parseDockerfile('FROM x\nRUN 3<<EOF cat <&3\nhi\nEOF\n').instructions[1].heredocs[0].fileDescriptor, 3);
  });

  it('flags, JSON and shell forms, unknown instructions', () => {
    assert.equal(dump('COPY --from="a b" --chown=1:1 -- x y'), '(copy ["--from=a b" "--chown=1:1"] "x" "y")');
    assert.equal(dump('ENTRYPOINT ["a", 1]'.replace('1', '"1"')), '(entrypoint "a" "1")');
    assert.equal(dump('FROB x y'), '(frob "")');
    assert.equal(dump('onbuild'), '(onbuild)');
    assert.equal(dump('HEALTHCHECK NONE'), '(healthcheck "NONE")');
    assert.equal(dump('LABEL "a b"="c d" e=f'), '(label "\\"a b\\"" "\\"c d\\"" "=" "e" "f" "=")');
    assert.throws(() => dump('ENV a=b c'), /line 1: Syntax error - can't find = in "c". Must be of the form: name=value/);
  });

  it('splits words keeping quotes', () => {
    assert.deepEqual(parseWords('foo bar', '\\'), ['foo', 'bar']);
    assert.deepEqual(parseWords('foo\\ bar', '\\'), ['foo\\ bar']);
    assert.deepEqual(parseWords(`foo bar 'abc xyz'`, '\\'), ['foo', 'bar', `'abc xyz'`]);
    assert.deepEqual(parseWords(`föo bàr "âbc xÿz"`, '\\'), ['föo', 'bàr', `"âbc xÿz"`]);
    assert.deepEqual(parseWords(`a "" b`, '\\'), ['a', '""', 'b']);
  });

  it('refuses a line longer than 64 KiB', () => {
    assert.throws(() => parseDockerfile(`FROM x\nRUN ${'a'.repeat(70000)}\n`), /line 2: dockerfile line greater than max allowed size of 65535/);
  });
});
