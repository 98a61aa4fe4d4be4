// Platforms as containerd's platforms package spells them (Parse, Format, normalization): the one
// parser for `FROM --platform`, `build --platform` and `pull --platform`.
import { InvalidArgument } from '../errors/index.ts';
import { quote } from './strconv.ts';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const knownOS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos']);
const knownArch = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le',
  'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);
const component = /^[A-Za-z0-9_-]+$/;

function normalizeOS(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/** containerd's normalizeArch: aliases to Go names, variants to their canonical spelling. */
function normalizeArch(arch: string, variant: string): [string, string] {
  const a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', v === 'v1' ? '' : v];
    case 'aarch64':
    case 'arm64':
      if (v === '8' || v === 'v8' || v === 'v8.0') v = '';
      else if (v === '9' || v === '9.0' || v === 'v9.0') v = 'v9';
      return ['arm64', v];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = 'v' + v;
      return ['arm', v];
    default:
      return [a, v];
  }
}

/** Parses `os[/arch[/variant]]` or a bare architecture, with containerd's messages. */
export function parsePlatform(specifier: string, host: Platform): Platform {
  const invalid = (why: string) => new InvalidArgument(`${quote(specifier)}: ${why}: invalid argument`);
  if (specifier.includes('*')) throw invalid('wildcards not yet supported');
  const parts = specifier.split('/');
  for (const part of parts) {
    if (!component.test(part)) {
      throw new InvalidArgument(`${quote(part)} is an invalid component of ${quote(specifier)}: platform specifier component must match "^[A-Za-z0-9_-]+$": invalid argument`);
    }
  }
  const make = (os: string, architecture: string, variant: string): Platform => ({ os, architecture, ...(variant ? { variant } : {}) });
  switch (parts.length) {
    case 1: {
      const os = normalizeOS(parts[0]);
      if (knownOS.has(os)) return make(os, host.architecture, host.variant ?? '');
      const [arch, variant] = normalizeArch(parts[0], '');
      if (knownArch.has(arch)) return make(host.os, arch, arch === 'arm' && variant === 'v7' ? '' : variant);
      throw invalid('unknown operating system or architecture');
    }
    case 2: {
      const [arch, variant] = normalizeArch(parts[1], '');
      return make(normalizeOS(parts[0]), arch, arch === 'arm' && variant === 'v7' ? '' : variant);
    }
    case 3: {
      const [arch, variant] = normalizeArch(parts[1], parts[2]);
      return make(normalizeOS(parts[0]), arch, arch === 'arm64' && variant === '' ? 'v8' : variant);
    }
    default:
      throw invalid('cannot parse platform specifier');
  }
}

/** containerd's platforms.Format: "linux/arm64/v8". */
export function formatPlatform(p: Platform): string {
  if (!p.os) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Whether two platforms are the same once normalized (arm64 and arm64/v8 are one). */
export function samePlatform(a: Platform, b: Platform): boolean {
  const norm = (p: Platform) => {
    const [arch, variant] = normalizeArch(p.architecture, p.variant ?? '');
    return `${normalizeOS(p.os)}/${arch}/${arch === 'arm' && variant === '' ? 'v7' : variant}`;
  };
  return norm(a) === norm(b);
}

/** The platform this process runs on, in Go's names (Node's x64 is amd64). */
export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
  const architecture = arch[process.arch] ?? process.arch;
  return { os: 'linux', architecture, ...(architecture === 'arm' ? { variant: 'v7' } : {}) };
}
