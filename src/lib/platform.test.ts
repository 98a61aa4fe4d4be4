import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatPlatform, parsePlatform } from './platform.ts';

describe('platforms', () => {
  const host = { os: 'linux', architecture: 'amd64' };
  it("parse as containerd's platforms.Parse", () => {
    const cases: Array<[string, string]> = [
      ['linux', 'linux/amd64'],
      ['amd64', 'linux/amd64'],
      ['x86_64', 'linux/amd64'],
      ['aarch64', 'linux/arm64'],
      ['linux/arm64', 'linux/arm64'],
      ['linux/arm64/v8', 'linux/arm64/v8'],
      ['linux/arm', 'linux/arm'],
      ['linux/armhf', 'linux/arm'],
      ['linux/arm/7', 'linux/arm/v7'],
      ['linux/armel', 'linux/arm/v6'],
      ['Linux/AMD64', 'linux/amd64'],
      ['windows/amd64', 'windows/amd64'],
    ];
    for (const [spec, want] of cases) assert.equal(formatPlatform(parsePlatform(spec, host)), want, spec);
    assert.throws(() => parsePlatform('frob', host), /"frob": unknown operating system or architecture: invalid argument/);
    assert.throws(() => parsePlatform('linux/*', host), /wildcards not yet supported/);
    assert.throws(() => parsePlatform('a/b/c/d', host), /cannot parse platform specifier/);
  });
});
