// The Firewall port and its iptables implementation. Berth owns its chains (<P>, <P>-FORWARD,
// <P>-ISOLATION-STAGE-1/2, <P>-POSTROUTING) and the few jumps to them from the builtin chains; it
// never reads or writes anyone else's (docker's DOCKER* chains stay as they are). The whole content
// of Berth's chains is generated from state and loaded with one `iptables-restore --noflush`:
// declaring a chain in the input flushes it, so a reload is atomic and idempotent, and a crash
// leaves nothing a reload does not replace.
import { SystemError } from '../errors/index.ts';
import { runCommand } from './command.ts';

export interface FirewallNetwork {
  bridge: string;
  subnet: string;
  internal: boolean;
  /** Whether containers of this network may talk to each other (com.docker.network.bridge.enable_icc). */
  icc: boolean;
  masquerade: boolean;
}

export interface FirewallPort {
  bridge: string;
  proto: string;
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

export interface FirewallState {
  networks: FirewallNetwork[];
  ports: FirewallPort[];
}

export interface Firewall {
  /** Loads the whole rule set for `state` into Berth's chains (creating chains and jumps as needed). */
  apply(state: FirewallState): Promise<void>;
  /** Removes Berth's jumps and chains. */
  teardown(): Promise<void>;
}

export interface ChainNames {
  nat: string;
  postrouting: string;
  forward: string;
  filter: string;
  isolation1: string;
  isolation2: string;
}

export function chainNames(prefix: string): ChainNames {
  return {
    nat: prefix,
    postrouting: `${prefix}-POSTROUTING`,
    forward: `${prefix}-FORWARD`,
    filter: prefix,
    isolation1: `${prefix}-ISOLATION-STAGE-1`,
    isolation2: `${prefix}-ISOLATION-STAGE-2`,
  };
}

/**
 * The jumps from builtin chains, as iptables arguments after the chain name. With the userland
 * proxy, loopback destinations are left to the proxy (as dockerd does); without it, they are
 * DNATed too (route_localnet on the bridges makes that routable) and masqueraded (hairpin).
 */
export function jumpRules(c: ChainNames, options: { hairpin: boolean }): Array<{ table: 'nat' | 'filter'; chain: string; args: string[] }> {
  return [
    { table: 'nat', chain: 'PREROUTING', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.nat] },
    { table: 'nat', chain: 'OUTPUT', args: [...(options.hairpin ? [] : ['!', '-d', '127.0.0.0/8']), '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.nat] },
    { table: 'nat', chain: 'POSTROUTING', args: ['-j', c.postrouting] },
    { table: 'filter', chain: 'FORWARD', args: ['-j', c.forward] },
  ];
}

/** The iptables-restore input for `state` (every Berth chain declared, hence flushed). */
export function renderRules(c: ChainNames, state: FirewallState, options: { hairpin: boolean }): string {
  const filter: string[] = [`:${c.forward} - [0:0]`, `:${c.filter} - [0:0]`, `:${c.isolation1} - [0:0]`, `:${c.isolation2} - [0:0]`];
  const nat: string[] = [`:${c.nat} - [0:0]`, `:${c.postrouting} - [0:0]`];
  filter.push(`-A ${c.forward} -j ${c.isolation1}`);
  for (const n of state.networks) {
    const br = n.bridge;
    filter.push(`-A ${c.forward} -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
    filter.push(`-A ${c.forward} -o ${br} -j ${c.filter}`);
    if (!n.internal) filter.push(`-A ${c.forward} -i ${br} ! -o ${br} -j ACCEPT`);
    filter.push(`-A ${c.forward} -i ${br} -o ${br} -j ${n.icc ? 'ACCEPT' : 'DROP'}`);
    if (n.internal) {
      filter.push(`-A ${c.isolation1} ! -s ${n.subnet} -o ${br} -j DROP`);
      filter.push(`-A ${c.isolation1} ! -d ${n.subnet} -i ${br} -j DROP`);
    } else {
      filter.push(`-A ${c.isolation1} -i ${br} ! -o ${br} -j ${c.isolation2}`);
    }
    filter.push(`-A ${c.isolation2} -o ${br} -j DROP`);
    nat.push(`-A ${c.nat} -i ${br} -j RETURN`);
    if (n.masquerade && !n.internal) nat.push(`-A ${c.postrouting} -s ${n.subnet} ! -o ${br} -j MASQUERADE`);
    if (options.hairpin) nat.push(`-A ${c.postrouting} -o ${br} -m addrtype --src-type LOCAL -j MASQUERADE`);
  }
  filter.push(`-A ${c.isolation1} -j RETURN`);
  filter.push(`-A ${c.isolation2} -j RETURN`);
  for (const p of state.ports) {
    const dst = p.hostIp && p.hostIp !== '0.0.0.0' ? ` -d ${p.hostIp}/32` : '';
    nat.push(`-A ${c.nat}${dst} ! -i ${p.bridge} -p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -j DNAT --to-destination ${p.containerIp}:${p.containerPort}`);
    filter.push(`-A ${c.filter} -d ${p.containerIp}/32 ! -i ${p.bridge} -o ${p.bridge} -p ${p.proto} -m ${p.proto} --dport ${p.containerPort} -j ACCEPT`);
    nat.push(`-A ${c.postrouting} -s ${p.containerIp}/32 -d ${p.containerIp}/32 -p ${p.proto} -m ${p.proto} --dport ${p.containerPort} -j MASQUERADE`);
  }
  return ['*filter', ...filter, 'COMMIT', '*nat', ...nat, 'COMMIT', ''].join('\n');
}

const run = runCommand;

export class IptablesFirewall implements Firewall {
  readonly chains: ChainNames;
  #hairpin: boolean;
  #jumpsReady = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: { prefix: string; hairpin: boolean }) {
    this.chains = chainNames(options.prefix);
    this.#hairpin = options.hairpin;
  }

  apply(state: FirewallState): Promise<void> {
    // Serialised: two reloads must not interleave, and the last state wins.
    const next = this.#queue.then(() => this.#apply(state));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #apply(state: FirewallState): Promise<void> {
    const r = await run('iptables-restore', ['-w', '--noflush'], renderRules(this.chains, state, { hairpin: this.#hairpin }));
    if (r.code !== 0) throw new SystemError(`iptables-restore failed: ${r.stderr.trim()}`);
    if (!this.#jumpsReady) {
      for (const j of jumpRules(this.chains, { hairpin: this.#hairpin })) {
        const check = await run('iptables', ['-w', '-t', j.table, '-C', j.chain, ...j.args]);
        if (check.code === 0) continue;
        const add = await run('iptables', ['-w', '-t', j.table, j.chain === 'FORWARD' ? '-I' : '-A', j.chain, ...(j.chain === 'FORWARD' ? ['1'] : []), ...j.args]);
        if (add.code !== 0) throw new SystemError(`iptables: adding the jump to ${this.chains.nat} in ${j.chain} failed: ${add.stderr.trim()}`);
      }
      // A jump of the other proxy mode may be left from an earlier run.
      for (const j of jumpRules(this.chains, { hairpin: !this.#hairpin })) {
        if (j.chain !== 'OUTPUT') continue;
        await run('iptables', ['-w', '-t', j.table, '-D', j.chain, ...j.args]);
      }
      this.#jumpsReady = true;
    }
  }

  async teardown(): Promise<void> {
    await this.#queue;
    const c = this.chains;
    for (const hairpin of [false, true]) {
      for (const j of jumpRules(c, { hairpin })) {
        while ((await run('iptables', ['-w', '-t', j.table, '-D', j.chain, ...j.args])).code === 0) {
          // a jump added twice is removed twice
        }
      }
    }
    for (const [table, chain] of [['filter', c.forward], ['filter', c.isolation1], ['filter', c.isolation2], ['filter', c.filter], ['nat', c.nat], ['nat', c.postrouting]]) {
      await run('iptables', ['-w', '-t', table, '-F', chain]);
    }
    for (const [table, chain] of [['filter', c.forward], ['filter', c.isolation1], ['filter', c.isolation2], ['filter', c.filter], ['nat', c.nat], ['nat', c.postrouting]]) {
      await run('iptables', ['-w', '-t', table, '-X', chain]);
    }
    this.#jumpsReady = false;
  }
}

/** Keeps the last state, for unit tests. */
export class FakeFirewall implements Firewall {
  state: FirewallState = { networks: [], ports: [] };
  applied = 0;
  async apply(state: FirewallState): Promise<void> {
    this.state = structuredClone(state);
    this.applied++;
  }
  async teardown(): Promise<void> {
    this.state = { networks: [], ports: [] };
  }
}
