// A name server standing in for the host's upstream ones, so that forwarded queries stay on
// this machine: a process of its own (the test's event loop is blocked while the CLI runs)
// listening on udp <ip>:53 for a loopback ip, answering the names given and NXDOMAIN for the
// rest. Run as a script: fake-upstream.ts <ip> <json {name: address}>; it prints "ready".
import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { buildAnswer, parseQuery, typeA } from '../../../src/network/dns-message.ts';

export interface FakeUpstream {
  ip: string;
  stop(): Promise<void>;
}

/** Starts the server on a random 127.x.y.z and waits until it listens. */
export async function startFakeUpstream(names: Record<string, string>): Promise<FakeUpstream> {
  const ip = `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, ip, JSON.stringify(names)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the fake upstream on ${ip} exited (${code})`)));
  });
  return {
    ip,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv[1] === import.meta.filename) {
  const [ip, json] = process.argv.slice(2);
  const names = JSON.parse(json) as Record<string, string>;
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const q = parseQuery(msg);
    if (!q) return;
    const address = names[q.name.toLowerCase().replace(/\.$/, '')];
    const reply = address ? buildAnswer(msg, q, q.type === typeA ? [address] : []) : buildAnswer(msg, q, [], { rcode: 3 });
    sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.bind({ address: ip, port: 53 }, () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => sock.close(() => process.exit(0)));
}
