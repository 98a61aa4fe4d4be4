// Platforms in a build: the automatic build args BuildKit defines from the build and target
// platforms, and the rule that a stage runs the host's platform. Berth runs only the host's
// platform, so a stage asking for another one fails clearly instead of building something that
// cannot run. Parsing and comparing platforms is src/lib's (platform.ts), shared with pull.
import { InvalidArgument } from '../errors/index.ts';
import { formatPlatform, samePlatform, type Platform } from '../lib/index.ts';

/** A stage's platform must be the host's: Berth runs no emulation. */
export function checkRunnablePlatform(requested: Platform, host: Platform): void {
  if (samePlatform(requested, host)) return;
  throw new InvalidArgument(`platform ${formatPlatform(requested)} is not supported: this daemon builds and runs ${formatPlatform(host)} images only`);
}

/** The automatic platform args: BUILD* describe the daemon's platform, TARGET* the image's. */
export function platformArgs(build: Platform, target: Platform): Map<string, string> {
  return new Map([
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
  ]);
}
