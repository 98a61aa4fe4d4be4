// daemon.json `userns-remap`: which subordinate ids every container's root maps to, as dockerd's
// parseRemappedRoot and idtools read them. "default" is Berth's own user: its ranges are added to
// /etc/subuid and /etc/subgid when missing (dockerd adds a "dockremap" user the same way; Berth
// writes only the two ranges, it needs no login entry). Any other value names an existing user
// (and group) by name or id, whose ranges must be there already.
import { promises as fsp } from 'node:fs';
import { InvalidArgument, isErrno } from '../errors/index.ts';
import { writeFileAtomic } from '../lib/index.ts';
import { hostId, idMappings, nextSubIdStart, subIdRanges, type IdMapping } from '../runtime/index.ts';

/** The user "default" stands for. */
export const defaultRemapUser = 'berth';

export interface RemapFiles {
  passwd: string;
  group: string;
  subuid: string;
  subgid: string;
}

const systemFiles: RemapFiles = { passwd: '/etc/passwd', group: '/etc/group', subuid: '/etc/subuid', subgid: '/etc/subgid' };

export interface UsernsRemap {
  user: string;
  group: string;
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
  /** The host ids container root maps to: they own the layers and name the data root (<uid>.<gid>). */
  root: { uid: number; gid: number };
}

async function readOptional(path: string): Promise<string> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return '';
    throw err;
  }
}

/** name:x:id:… entries of /etc/passwd or /etc/group. */
function lookup(text: string, key: string): { name: string; id: number } | undefined {
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (id === undefined || !/^\d+$/.test(id)) continue;
    if (name === key || id === key) return { name, id: Number(id) };
  }
  return undefined;
}

/** Adds `user:<start>:65536` after every range the file gives out, keeping the file's mode. */
async function addRange(path: string, user: string): Promise<void> {
  const text = await readOptional(path);
  const { start, length } = nextSubIdStart(text);
  const mode = await fsp.stat(path).then((st) => st.mode & 0o7777, () => 0o644);
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  await writeFileAtomic(path, `${text}${sep}${user}:${start}:${length}\n`, { mode });
}

/** dockerd's parseRemappedRoot and NewIdentityMapping for the `userns-remap` value. */
export async function resolveUsernsRemap(value: string, files: RemapFiles = systemFiles): Promise<UsernsRemap> {
  const parts = value.split(':');
  if (parts.length > 2 || parts[0] === '') throw new InvalidArgument(`Invalid user/group specification in --userns-remap: ${JSON.stringify(value)}`);
  let user: string;
  let group: string;
  if (parts[0] === 'default') {
    user = defaultRemapUser;
    group = defaultRemapUser;
    for (const [path, kind] of [[files.subuid, 'subuid'], [files.subgid, 'subgid']] as const) {
      if (subIdRanges(await readOptional(path), { name: user }).length === 0) {
        try {
          await addRange(path, user);
        } catch (err) {
          throw new InvalidArgument(`Error during ${JSON.stringify(user)} user creation: cannot add a ${kind} range: ${(err as Error).message}`);
        }
      }
    }
  } else {
    const passwd = await readOptional(files.passwd);
    const groups = await readOptional(files.group);
    const numeric = /^\d+$/.test(parts[0]);
    const u = lookup(passwd, parts[0]);
    if (!u) {
      throw new InvalidArgument(
        numeric ? `Uid ${parts[0]} has no entry in /etc/passwd: no such user` : `Error during uid lookup for ${JSON.stringify(parts[0])}: no such user: ${parts[0]}`,
      );
    }
    user = u.name;
    const groupKey = parts[1] ?? parts[0];
    const g = lookup(groups, groupKey);
    if (!g) {
      throw new InvalidArgument(
        /^\d+$/.test(groupKey) ? `Gid ${groupKey} has no entry in /etc/group: no such group` : `Error during gid lookup for ${JSON.stringify(groupKey)}: no such group: ${groupKey}`,
      );
    }
    group = g.name;
  }
  const uid = lookup(await readOptional(files.passwd), user)?.id;
  const gid = lookup(await readOptional(files.group), group)?.id;
  const uidMappings = idMappings(subIdRanges(await readOptional(files.subuid), { name: user, ...(uid !== undefined ? { uid } : {}) }), 'subuid', user);
  const gidMappings = idMappings(subIdRanges(await readOptional(files.subgid), { name: group, ...(gid !== undefined ? { uid: gid } : {}) }), 'subgid', group);
  return { user, group, uidMappings, gidMappings, root: { uid: hostId(uidMappings, 0)!, gid: hostId(gidMappings, 0)! } };
}

/**
 * dockerd's setupDaemonRoot under userns-remap: the data root stays traversable (0711), and
 * berthd's state moves to <data-root>/<uid>.<gid>, owned by root and the remapped root's group
 * (0710) so that a container's root, which runc runs as that uid, can reach its rootfs and files.
 */
export async function remappedDataRoot(dataRoot: string, root: { uid: number; gid: number }): Promise<string> {
  await fsp.mkdir(dataRoot, { recursive: true, mode: 0o711 });
  await fsp.chmod(dataRoot, 0o711);
  const dir = `${dataRoot}/${root.uid}.${root.gid}`;
  await fsp.mkdir(dir, { recursive: true, mode: 0o710 });
  await fsp.chown(dir, 0, root.gid);
  await fsp.chmod(dir, 0o710);
  return dir;
}
