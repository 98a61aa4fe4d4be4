// The ResolverRedirect port: inside a container's network namespace, 127.0.0.11:53 (udp and
// tcp) leads to the embedded resolver berthd runs on one of the container's networks' gateways,
// so resolv.conf names 127.0.0.11 as dockerd's does and keeps naming it through network connect
// and disconnect. Rules, not sockets: dockerd binds sockets inside the namespace from a thread
// it moved there, which berthd cannot do (setns moves one thread, and a helper process handing
// sockets back would cost a process start of its own on every container start); a DNAT in the
// namespace costs one short process and survives berthd restarts with no work.
//
// A DNAT from a loopback address to a remote one needs two things in the namespace: the packet's
// source (127.0.0.1) rewritten to the container's own address on that network, and
// route_localnet, without which the kernel drops a loopback-sourced packet on its way out and
// the reply, de-NATed back to 127.0.0.1, on its way in. route_localnet would also let a
// neighbour on the bridge reach the container's 127.0.0.1 services, so the raw table drops
// anything arriving from outside addressed to 127.0.0.0/8 (a reply to the DNAT still carries the
// container's address at that point, and passes).
import { SystemError } from '../errors/index.ts';
import { runCommand } from './command.ts';

/** dockerd's address for the embedded resolver, inside every container on a user-defined network. */
export const embeddedResolverAddress = '127.0.0.11';

export interface ResolverTarget {
  /** The gateway of one of the container's networks, where berthd's resolver listens. */
  gateway: string;
  /** The container's address on that network (what the resolver sees as the asker). */
  address: string;
}

export interface ResolverRedirect {
  /**
   * Points 127.0.0.11:53 inside the namespace at `target` (nowhere when undefined). `first` is
   * for a namespace that has had no redirect yet: it also adds the jumps and route_localnet.
   */
  apply(netns: string, target: ResolverTarget | undefined, options: { first: boolean }): Promise<void>;
}

/** The chains Berth owns inside a container's namespace. */
export const resolverChains = { output: 'BERTH_DNS_OUTPUT', postrouting: 'BERTH_DNS_POSTROUTING', prerouting: 'BERTH_DNS_PREROUTING' } as const;

/** The iptables-restore --noflush input: Berth's chains declared (hence flushed) and filled. */
export function renderResolverRules(target: ResolverTarget | undefined, options: { first: boolean }): string {
  const c = resolverChains;
  const raw = [`:${c.prerouting} - [0:0]`];
  const nat = [`:${c.output} - [0:0]`, `:${c.postrouting} - [0:0]`];
  if (options.first) {
    raw.push(`-A PREROUTING -j ${c.prerouting}`);
    nat.push(`-A OUTPUT -d ${embeddedResolverAddress}/32 -j ${c.output}`, `-A POSTROUTING -s 127.0.0.0/8 -j ${c.postrouting}`);
  }
  raw.push(`-A ${c.prerouting} ! -i lo -d 127.0.0.0/8 -j DROP`);
  if (target) {
    for (const proto of ['udp', 'tcp']) {
      nat.push(`-A ${c.output} -d ${embeddedResolverAddress}/32 -p ${proto} -m ${proto} --dport 53 -j DNAT --to-destination ${target.gateway}:53`);
      nat.push(`-A ${c.postrouting} -s 127.0.0.0/8 -d ${target.gateway}/32 -p ${proto} -m ${proto} --dport 53 -j SNAT --to-source ${target.address}`);
    }
  }
  return ['*raw', ...raw, 'COMMIT', '*nat', ...nat, 'COMMIT', ''].join('\n');
}

const run = runCommand;

/**
 * iptables-restore run inside the namespace by nsenter (berthd itself never enters one). The
 * first time, a shell in the namespace sets route_localnet first: /proc/sys/net shows the
 * namespace of whoever opens it, and a shell costs less than a second nsenter.
 */
export class IptablesResolverRedirect implements ResolverRedirect {
  async apply(netns: string, target: ResolverTarget | undefined, options: { first: boolean }): Promise<void> {
    const restore = 'iptables-restore -w --noflush';
    const script = options.first ? `echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet && exec ${restore}` : `exec ${restore}`;
    const r = await run('nsenter', [`--net=${netns}`, 'sh', '-c', script], renderResolverRules(target, options));
    if (r.code !== 0) throw new SystemError(`pointing 127.0.0.11 at the embedded DNS in ${netns} failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
  }
}

/** Keeps what each namespace was given, for unit tests. */
export class FakeResolverRedirect implements ResolverRedirect {
  /** Per namespace: whether it was set up (first) and where 127.0.0.11 leads. */
  readonly namespaces = new Map<string, { target: ResolverTarget | undefined }>();
  /** Namespaces whose next apply fails, as a missing namespace would. */
  readonly failing = new Set<string>();

  async apply(netns: string, target: ResolverTarget | undefined, options: { first: boolean }): Promise<void> {
    if (this.failing.has(netns)) throw new SystemError(`pointing 127.0.0.11 at the embedded DNS in ${netns} failed: no such namespace`);
    if (options.first === this.namespaces.has(netns)) throw new SystemError(`${netns}: first apply ${options.first ? 'twice' : 'missing'}`);
    this.namespaces.set(netns, { target: target ? { ...target } : undefined });
  }
}
