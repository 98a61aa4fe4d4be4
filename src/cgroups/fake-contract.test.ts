// The Cgroups contract against the in-memory cgroupfs, in both layouts.
import { cgroupsContract } from './cgroups.contract.ts';
import { FakeCgroupFs } from './fake.ts';
import { openCgroups } from './open.ts';

for (const mode of ['v1', 'v2'] as const) {
  cgroupsContract(`fake ${mode}`, async () => {
    const fs = new FakeCgroupFs({ mode, cpus: '0-3' });
    return {
      cgroups: await openCgroups(fs),
      base: '/contract',
      cpus: '0-3',
      blockDevice: { major: 8, minor: 0 },
      spawn: async () => {
        const pid = fs.spawn();
        return { pid, stop: async () => fs.exit(pid) };
      },
      cleanup: async () => {},
    };
  });
}
