// Resolves `-u user[:group]` against the container's own /etc/passwd and /etc/group, as dockerd
// does at start (read through secureJoin so an image's symlinks cannot point outside its root).
import { promises as fsp } from 'node:fs';
import { InvalidArgument } from '../errors/index.ts';
import { secureJoin } from '../lib/index.ts';

export interface ExecUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

async function readRootFile(root: string, path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(await secureJoin(root, path), 'utf8');
  } catch {
    return undefined;
  }
}

function parsePasswd(text: string | undefined): PasswdEntry[] {
  return (text ?? '')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4)
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '' }));
}

function parseGroup(text: string | undefined): GroupEntry[] {
  return (text ?? '')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 3)
    .map((f) => ({ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

const isNumeric = (s: string) => /^\d+$/.test(s);

export async function resolveUser(root: string, spec: string, groupAdd: readonly string[] = []): Promise<ExecUser> {
  const [userPart, groupPart] = spec.split(':', 2) as [string, string | undefined];
  const passwd = parsePasswd(await readRootFile(root, '/etc/passwd'));
  const groups = parseGroup(await readRootFile(root, '/etc/group'));

  let entry: PasswdEntry | undefined;
  // No user means uid 0 by number, so that an image without /etc/passwd (FROM scratch) still runs.
  const user = userPart || '0';
  if (isNumeric(user)) entry = passwd.find((p) => p.uid === Number(user));
  else {
    entry = passwd.find((p) => p.name === user);
    if (!entry) throw new InvalidArgument(`unable to find user ${user}: no matching entries in passwd file`);
  }
  const uid = entry ? entry.uid : Number(user);
  let gid = entry ? entry.gid : 0;
  const home = entry?.home || '/';
  let memberOf: number[] = [];

  if (groupPart !== undefined && groupPart !== '') {
    if (isNumeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw new InvalidArgument(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  } else if (entry) {
    memberOf = groups.filter((g) => g.members.includes(entry.name) && g.gid !== gid).map((g) => g.gid);
  }
  // The primary group is listed among the supplementary ones too, as containerd does for
  // dockerd (`id` shows "groups=0(root)").
  const additionalGids = [gid, ...memberOf];
  for (const extra of groupAdd) {
    let g: number;
    if (isNumeric(extra)) g = Number(extra);
    else {
      const found = groups.find((x) => x.name === extra);
      if (!found) throw new InvalidArgument(`Unable to find group ${extra}: no matching entries in group file`);
      g = found.gid;
    }
    if (!additionalGids.includes(g)) additionalGids.push(g);
  }
  if (uid > 2 ** 31 - 1 || gid > 2 ** 31 - 1) throw new InvalidArgument(`uids and gids must be in range 0-${2 ** 31 - 1}`);
  return { uid, gid, additionalGids, home };
}
