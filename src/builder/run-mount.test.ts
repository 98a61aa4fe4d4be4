import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BuildArgs } from './build-args.ts';
import { InstructionFlags, withSuggestion } from './flags.ts';
import { formatLintWarnings, lint } from './lint.ts';
import { samePlatform } from '../lib/index.ts';
import { checkRunnablePlatform, platformArgs } from './platform.ts';
import { csvFields, parseMount, parseNetworkMode } from './run-mount.ts';

const id = (w: string) => w;

describe('RUN --mount and --network', () => {
  it('CSV fields as encoding/csv splits them', () => {
    assert.deepEqual(csvFields('type=bind,"source=a,b",target=/x'), ['type=bind', 'source=a,b', 'target=/x']);
    assert.deepEqual(csvFields('"a ""q"" b",c'), ['a "q" b', 'c']);
    assert.throws(() => csvFields('a"b'), /bare " in non-quoted-field/);
    assert.throws(() => csvFields('"open'), /extraneous or missing " in quoted-field/);
  });

  it('defaults per type: bind and secret read-only, cache and tmpfs writable', () => {
    assert.equal(parseMount('target=/x', id).type, 'bind');
    assert.equal(parseMount('target=/x', id).readOnly, true);
    assert.equal(parseMount('type=cache,target=/x', id).readOnly, false);
    assert.equal(parseMount('type=tmpfs,target=/x', id).readOnly, false);
    assert.equal(parseMount('type=cache,target=/x,ro', id).readOnly, true);
    assert.equal(parseMount('type=bind,target=/x,readwrite=true', id).readOnly, false);
    assert.equal(parseMount('type=secret,id=a,required=false', id).required, false);
    assert.deepEqual(parseMount('type=cache,target=/x,id=$ID,mode=0755,uid=1,gid=2', (w) => w.replace('$ID', 'go')), {
      type: 'cache',
      from: '',
      source: '',
      target: '/x',
      readOnly: false,
      sizeLimit: 0,
      cacheId: 'go',
      cacheSharing: '',
      required: false,
      mode: 0o755,
      uid: 1,
      gid: 2,
    });
  });

  it("BuildKit's errors", () => {
    const cases: Array<[string, RegExp]> = [
      ['type=volume,target=/x', /unsupported mount type "volume"$/],
      ['type=cach,target=/x', /unsupported mount type "cach" \(did you mean cache\?\)/],
      ['type=cache,target=/x,sharing=all', /unsupported sharing value "all"/],
      ['type=bind,target=/x,sharing=shared', /invalid cache sharing set for bind mount/],
      ['target=/x,size=1m', /unexpected key 'size' for mount type 'bind'/],
      ['type=tmpfs,target=/x,size=lots', /invalid value for size: lots/],
      ['type=bind,target=/x,mode=0644', /mode not allowed for "bind" type mounts/],
      ['type=bind,target=/x,uid=1', /uid not allowed for "bind" type mounts/],
      ['type=cache,target=/x,mode=999', /invalid value 999 for mode/],
      ['type=cache,target=/x,uid=-1', /invalid value -1 for uid/],
      ['type=bind,target=/x,required', /unexpected key 'required' for mount type 'bind'/],
      ['type=bind,target=/x,ro=maybe', /invalid value for ro: maybe/],
      ['type=bind,targett=/x', /unexpected key 'targett' in 'targett=\/x' \(did you mean target\?\)/],
      ['type=bind,bogus', /invalid field 'bogus' must be a key=value pair/],
      ['type=secret,id=a,from=x', /secret mount should not have a from/],
      ['type=secret,id=a,sharing=locked', /secret mount should not define sharing/],
      ['type=secret,id=a,source=b', /both source and id can't be set/],
      ['type=ssh', /type=ssh is not supported: Berth does not forward an SSH agent/],
    ];
    for (const [value, message] of cases) assert.throws(() => parseMount(value, id), message, value);
  });

  it('network modes', () => {
    assert.deepEqual(['default', 'none', 'host'].map(parseNetworkMode), ['default', 'none', 'host']);
    assert.throws(() => parseNetworkMode('bridge'), /invalid network mode "bridge"/);
  });
});

describe('platforms', () => {
  const host = { os: 'linux', architecture: 'amd64' };
  it('only the host platform runs; arm64 and arm64/v8 are the same', () => {
    assert.equal(samePlatform({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }), true);
    assert.equal(samePlatform({ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' }), true);
    checkRunnablePlatform({ os: 'linux', architecture: 'amd64' }, host);
    assert.throws(() => checkRunnablePlatform({ os: 'linux', architecture: 'arm64' }, host), /platform linux\/arm64 is not supported: this daemon builds and runs linux\/amd64 images only/);
  });

  it('automatic args', () => {
    assert.deepEqual(Object.fromEntries(platformArgs({ os: 'linux', architecture: 'arm', variant: 'v7' }, host)), {
      BUILDPLATFORM: 'linux/arm/v7',
      BUILDOS: 'linux',
      BUILDARCH: 'arm',
      BUILDVARIANT: 'v7',
      TARGETPLATFORM: 'linux/amd64',
      TARGETOS: 'linux',
      TARGETARCH: 'amd64',
      TARGETVARIANT: '',
    });
  });
});

describe('build args', () => {
  it('scopes: meta args reach a stage only through ARG; proxies without ARG; options win', () => {
    const global = new BuildArgs(
      new Map<string, string | null>([
        ['V', 'cli'],
        ['https_proxy', 'p'],
        ['EMPTY', null],
      ]),
    );
    global.addArg('V', '1');
    global.addMetaArg('V', '1');
    global.addArg('M', 'meta');
    global.addMetaArg('M', 'meta');
    assert.deepEqual(Object.fromEntries(global.allMeta()), { M: 'meta', V: 'cli', https_proxy: 'p' });
    const stage = global.forStage();
    assert.deepEqual(Object.fromEntries(stage.allAllowed()), { https_proxy: 'p' });
    stage.addArg('M', undefined);
    stage.addArg('EMPTY', undefined);
    stage.addArg('LOCAL', 'l');
    assert.deepEqual(Object.fromEntries(stage.allAllowed()), { LOCAL: 'l', M: 'meta', https_proxy: 'p' });
    assert.deepEqual(stage.filterAllowed(['M=env']), ['LOCAL=l', 'https_proxy=p']);
    assert.equal(stage.isReferencedOrNotBuiltin('https_proxy'), false);
    stage.addArg('https_proxy', undefined);
    assert.equal(stage.isReferencedOrNotBuiltin('https_proxy'), true);
    assert.equal(global.unusedWarning(), '[Warning] One or more build-args [EMPTY] were not consumed');
    global.mergeReferenced(stage);
    assert.equal(global.unusedWarning(), undefined);
    assert.equal(new BuildArgs(new Map([['Z', '1'], ['A', '2'], ['HTTP_PROXY', 'x']])).unusedWarning(), '[Warning] One or more build-args [A Z] were not consumed');
  });
});

describe('flags and lint output', () => {
  it('flags end at --, lists repeat, bools take true/false', () => {
    const f = new InstructionFlags(['--exclude=a', '--exclude=b', '--link=FALSE', '--', '--not-a-flag']);
    const exclude = f.strings('exclude');
    const link = f.bool('link');
    f.parse();
    assert.deepEqual([exclude(), link(), f.used('link'), f.usedNames()], [['a', 'b'], false, true, ['exclude', 'link']]);
    assert.throws(() => new InstructionFlags(['-x']).parse(), /arg should start with -- : -x/);
    assert.equal(withSuggestion('unknown flag: --chwon', 'chwon', ['chown', 'chmod'], true), 'unknown flag: --chwon (did you mean chown?)');
  });

  it('formats warnings as the BuildKit client lists them', () => {
    assert.deepEqual(formatLintWarnings([lint('JSONArgsRecommended', 3, 'CMD'), lint('MaintainerDeprecated', 2)]), [
      ' 2 warnings found:',
      ' - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 3)',
      ' - MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 2)',
    ]);
    assert.equal(lint('JSONArgsRecommended', 1, 'CMD').url, 'https://docs.docker.com/go/dockerfile/rule/json-args-recommended/');
    assert.equal(lint('NoEmptyContinuation', 1).url, 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/');
  });
});
