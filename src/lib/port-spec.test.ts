import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortSpec } from './port-spec.ts';

describe('parsePortSpec', () => {
  it('reads ip, host port, container port and proto', () => {
    assert.deepEqual(parsePortSpec('80'), [{ hostIp: '', containerPort: 80, hostPort: '', proto: 'tcp' }]);
    assert.deepEqual(parsePortSpec('127.0.0.1:8080:80/UDP'), [{ hostIp: '127.0.0.1', containerPort: 80, hostPort: '8080', proto: 'udp' }]);
    assert.deepEqual(parsePortSpec('[::1]::53/sctp'), [{ hostIp: '::1', containerPort: 53, hostPort: '', proto: 'sctp' }]);
  });

  it('pairs ranges port by port, and gives one container port the whole host range', () => {
    assert.deepEqual(
      parsePortSpec('8000-8001:80-81').map((p) => [p.containerPort, p.hostPort]),
      [
        [80, '8000'],
        [81, '8001'],
      ],
    );
    assert.deepEqual(parsePortSpec('8000-8010:80')[0].hostPort, '8000-8010');
  });

  it('refuses what nat.ParsePortSpec refuses, with its messages', () => {
    assert.throws(() => parsePortSpec('80:foo'), { message: "invalid containerPort: foo" });
    assert.throws(() => parsePortSpec('x:80'), { message: "invalid hostPort: x" });
    assert.throws(() => parsePortSpec('80/icmp'), { message: "invalid proto: icmp" });
    assert.throws(() => parsePortSpec('1.2.3:80:80'), /invalid IP address: 1\.2\.3/);
    assert.throws(() => parsePortSpec('8000:80-81'), /invalid ranges specified for container and host Ports: 80-81 and 8000/);
    assert.throws(() => parsePortSpec(''), /no port specified/);
  });
});
