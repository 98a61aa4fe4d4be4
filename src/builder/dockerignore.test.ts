import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerignoreMatcher, keepBuildFiles, parseDockerignore } from './dockerignore.ts';

// Cases from moby/patternmatcher's own tables: [pattern, path, excluded].
const single: Array<[string, string, boolean]> = [
  ['**', 'file', true],
  ['**', 'file/', true],
  ['**/', 'file', true],
  ['**/', 'file/', true],
  ['**', '/', true],
  ['**/', '/', true],
  ['**', 'dir/file', true],
  ['**/', 'dir/file', true],
  ['**', 'dir/file/', true],
  ['**/', 'dir/file/', true],
  ['**/**', 'dir/file', true],
  ['**/**', 'dir/file/', true],
  ['dir/**', 'dir/file', true],
  ['dir/**', 'dir/file/', true],
  ['dir/**', 'dir/dir2/file', true],
  ['dir/**', 'dir/dir2/file/', true],
  ['**/dir', 'dir', true],
  ['**/dir', 'dir/file', true],
  ['**/dir2/*', 'dir/dir2/file', true],
  ['**/dir2/*', 'dir/dir2/file/', true],
  ['**/dir2/**', 'dir/dir2/dir3/file', true],
  ['**/dir2/**', 'dir/dir2/dir3/file/', true],
  ['**file', 'file', true],
  ['**file', 'dir/file', true],
  ['**/file', 'dir/file', true],
  ['**file', 'dir/dir/file', true],
  ['**/file', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file.txt', true],
  ['**/file*txt', 'dir/dir/file.txt', true],
  ['**/file*.txt', 'dir/dir/file.txt', true],
  ['**/file*.txt*', 'dir/dir/file.txt', true],
  ['**/**/*.txt', 'dir/dir/file.txt', true],
  ['**/**/*.txt2', 'dir/dir/file.txt', false],
  ['**/*.txt', 'file.txt', true],
  ['**/**/*.txt', 'file.txt', true],
  ['a**/*.txt', 'a/file.txt', true],
  ['a**/*.txt', 'a/dir/file.txt', true],
  ['a**/*.txt', 'a/dir/dir/file.txt', true],
  ['a/*.txt', 'a/dir/file.txt', false],
  ['a/*.txt', 'a/file.txt', true],
  ['a/*.txt**', 'a/file.txt', true],
  ['a[b-d]e', 'ae', false],
  ['a[b-d]e', 'ace', true],
  ['a[b-d]e', 'aae', false],
  ['a[^b-d]e', 'aze', true],
  ['.*', '.foo', true],
  ['.*', 'foo', false],
  ['abc.def', 'abcdef', false],
  ['abc.def', 'abc.def', true],
  ['abc.def', 'abcZdef', false],
  ['abc?def', 'abcZdef', true],
  ['abc?def', 'abcdef', false],
  ['a\\\\', 'a\\', true],
  ['**/foo/bar', 'foo/bar', true],
  ['**/foo/bar', 'dir/foo/bar', true],
  ['**/foo/bar', 'dir/dir2/foo/bar', true],
  ['abc/**', 'abc', false],
  ['abc/**', 'abc/def', true],
  ['abc/**', 'abc/def/ghi', true],
  ['**/.foo', '.foo', true],
  ['**/.foo', 'bar.foo', false],
  ['a(b)c/def', 'a(b)c/def', true],
  ['a(b)c/def', 'a(b)c/xyz', false],
  ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
  ['dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['a\\*b', 'a*b', true],
  // filepath.Match semantics under the same matcher
  ['*c', 'abc', true],
  ['a*', 'ab/c', true],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['ab[^e-g]', 'abc', true],
  ['a?b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[\\]a]', ']', true],
  ['[\\-]', '-', true],
  ['[x\\-]', '-', true],
  ['[\\-x]', 'a', false],
  ['a]b', 'a]b', true],
  ['a]*', 'a]x', true],
];

const multi: Array<[string[], string, boolean]> = [
  [['**', '!util/docker/web'], 'util/docker/web/foo', false],
  [['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo', true],
  [['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
  [['*.go', '!fileutils.go'], 'fileutils.go', false],
  [['!fileutils.go', '*.go'], 'fileutils.go', true],
  [['docs', '!docs/README.md'], 'docs/README.md', false],
  [['docs/', '!docs/README.md'], 'docs/README.md', false],
  [['docs/*', '!docs/README.md'], 'docs/README.md', false],
];

describe('.dockerignore', () => {
  it('matches as moby/patternmatcher does, with and without the parent results', () => {
    const failures: string[] = [];
    const cases: Array<[string[], string, boolean]> = [...single.map(([p, t, e]) => [[p], t, e] as [string[], string, boolean]), ...multi];
    for (const [patterns, path, expected] of cases) {
      const m = new DockerignoreMatcher(patterns);
      if (m.matches(path) !== expected) failures.push(`matches ${JSON.stringify(patterns)} ${path}`);
      // The walk's way: each parent directory first, its result handed down.
      const dirs = path.replace(/\/$/, '').split('/').slice(0, -1);
      let info;
      for (let i = 1; i <= dirs.length; i++) info = m.matchesWithParent(dirs.slice(0, i).join('/'), info).info;
      if (m.matchesWithParent(path, info).excluded !== expected) failures.push(`with parents ${JSON.stringify(patterns)} ${path}`);
    }
    assert.deepEqual(failures, []);
  });

  it('rejects malformed patterns as Go filepath.Match does', () => {
    for (const bad of ['[', '[^', '[^bc', 'a[', '\\', '[]a]', '[-]', '[x-]', '[-x]', '[a-b-c]']) {
      assert.throws(() => new DockerignoreMatcher([bad]), /syntax error in pattern/, bad);
    }
    assert.throws(() => new DockerignoreMatcher(['!']), /illegal exclusion pattern: "!"/);
    assert.equal(new DockerignoreMatcher(['*.go']).matches('.'), false, 'the context root is never excluded');
  });

  it('reads the file: comments, blanks, BOM, leading slash, cleaning, ! with spaces', () => {
    const text = '\ufeff# comment\n\n  /build/  \n!  /build/keep.txt\n./a/../b/*.log\r\n #not a comment\n/\n';
    assert.deepEqual(parseDockerignore(text), ['build', '!build/keep.txt', 'b/*.log', '#not a comment', '/']);
  });

  it('walks a context as the docker CLI packs it', () => {
    const m = new DockerignoreMatcher(parseDockerignore('node_modules\n*.log\n!important.log\ndocs\n!docs/keep/**\n**/tmp\n'));
    const walk = (p: string, dir = false) => m.walk(p, dir);
    assert.equal(walk('.', true), 'include');
    assert.equal(walk('src', true), 'include');
    assert.equal(walk('src/a.ts'), 'include');
    assert.equal(walk('node_modules', true), 'skip-dir');
    assert.equal(walk('debug.log'), 'exclude');
    assert.equal(walk('important.log'), 'include');
    assert.equal(walk('docs', true), 'descend', 'an exception below may re-include files');
    assert.equal(walk('docs/old.md'), 'exclude');
    assert.equal(walk('docs/keep', true), 'descend', 'docs/keep itself is not re-included, only what is below it');
    assert.equal(walk('docs/keep/a.md'), 'include');
    assert.equal(walk('src/tmp', true), 'skip-dir');
    assert.equal(new DockerignoreMatcher(['build']).walk('build', true), 'skip-dir');
  });

  it('keeps the Dockerfile and .dockerignore in the context unless the Dockerfile is on stdin', () => {
    assert.deepEqual(keepBuildFiles(['*', '!src'], 'Dockerfile', false), ['*', '!src', '!.dockerignore', '!Dockerfile']);
    assert.deepEqual(keepBuildFiles(['*'], 'dev/Dockerfile', true), ['*', '!.dockerignore']);
    assert.deepEqual(keepBuildFiles(['*.md'], 'Dockerfile', false), ['*.md']);
  });
});
