// Picks the driver for this host from /proc/self/mountinfo (never from a flag: the kernel's
// layout decides what runc will do, so it decides what we read and write).
import type { CgroupFs } from './fs.ts';
import { detectCgroupLayout } from './mountinfo.ts';
import type { Cgroups } from './types.ts';
import { CgroupsV1 } from './v1.ts';
import { CgroupsV2 } from './v2.ts';

export async function openCgroups(fs: CgroupFs): Promise<Cgroups> {
  const layout = detectCgroupLayout(await fs.read('/proc/self/mountinfo'));
  return layout.mode === 'v2' ? new CgroupsV2(fs, layout.unified!) : new CgroupsV1(fs, layout);
}
