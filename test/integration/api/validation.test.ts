// Every request is checked before it reaches the engine: the malformed requests a fuzzer sent
// (issue 16), and a seeded set of wrong values for every declared query parameter and body field
// of every route, each a 400 whose message names the field — and afterwards the listings work and
// nothing was created. Also the ranges that matter beyond a 400: stop's timeout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allRoutes } from '../../../src/api/all-routes.test-support.ts';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

const message = (body: string) => (JSON.parse(body) as { message: string }).message;

async function expect400(method: string, path: string, body: unknown, pattern: RegExp | string): Promise<void> {
  const r = await d.api(method, path, body);
  assert.equal(r.status, 400, `${method} ${path} ${typeof body === 'string' ? body.slice(0, 80) : JSON.stringify(body)?.slice(0, 200)}: ${r.status} ${r.body}`);
  if (method === 'HEAD') return;
  const m = message(r.body);
  if (typeof pattern === 'string') assert.ok(m.includes(pattern), `${method} ${path}: "${m}" does not name ${pattern}`);
  else assert.match(m, pattern, `${method} ${path}`);
}

/** What the daemon holds: compared before and after the malformed requests. */
async function inventory(): Promise<string> {
  const get = async (path: string) => {
    const r = await d.api('GET', path);
    assert.equal(r.status, 200, `${path} after the malformed requests: ${r.body}`);
    return JSON.parse(r.body) as unknown;
  };
  const containers = (await get('/containers/json?all=1')) as Array<{ Id: string }>;
  const images = (await get('/images/json?all=1')) as Array<{ Id: string; RepoTags: string[] }>;
  const networks = (await get('/networks')) as Array<{ Name: string }>;
  const volumes = (await get('/volumes')) as { Volumes: Array<{ Name: string }> };
  await get('/system/df');
  assert.equal(d.berth(['images']).code, 0);
  assert.equal(d.berth(['ps', '-a']).code, 0);
  return JSON.stringify({
    containers: containers.map((c) => c.Id).sort(),
    images: images.map((i) => `${i.Id} ${i.RepoTags.join(',')}`).sort(),
    networks: networks.map((n) => n.Name).sort(),
    volumes: volumes.Volumes.map((v) => v.Name).sort(),
  });
}

describe('the malformed requests of the fuzz run', () => {
  let running: string;
  let before: string;

  it('each is a 400 naming the field, in dockerd\'s words where it has them', async () => {
    running = JSON.parse((await d.api('POST', '/containers/create?name=target', { Image: 'busybox', Cmd: ['sleep', '300'] })).body).Id;
    assert.equal((await d.api('POST', `/containers/${running}/start`)).status, 204);
    const exec = JSON.parse((await d.api('POST', `/containers/${running}/exec`, { Cmd: ['true'] })).body).Id as string;
    before = await inventory();

    const create = (body: Record<string, unknown>) => ({ Image: 'busybox', Cmd: ['true'], ...body });
    await expect400('POST', '/containers/create', { Image: 'busybox', Cmd: 5 }, 'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string');
    await expect400('POST', '/containers/create', create({ Env: { A: 1 } }), 'json: cannot unmarshal object into Go struct field ContainerConfigWrapper.Env of type []string');
    await expect400('POST', '/containers/create', create({ Env: [null] }), 'ContainerConfigWrapper.Env');
    await expect400('POST', '/containers/create', create({ Entrypoint: {} }), 'json: cannot unmarshal object into Go struct field ContainerConfigWrapper.Entrypoint of type string');
    await expect400('POST', '/containers/create', create({ HostConfig: { Tmpfs: { '/x': 5 } } }), 'json: cannot unmarshal number into Go struct field HostConfig.HostConfig.Tmpfs of type string');
    await expect400('POST', '/networks/create', { Name: 'n1', IPAM: { Config: [null, 5] } }, 'Go struct field IPAM.IPAM.Config of type network.IPAMConfig');
    await expect400('POST', '/auth', { serveraddress: [] }, 'json: cannot unmarshal array into Go struct field AuthConfig.serveraddress of type string');
    await expect400('POST', `/containers/${running}/exec`, { Cmd: { a: 1 } }, 'json: cannot unmarshal object into Go struct field ExecConfig.Cmd of type []string');
    await expect400('GET', `/containers/${running}/archive?path=/etc%00x`, undefined, 'invalid value for path: must not contain a NUL byte');
    await expect400('PUT', `/containers/${running}/archive?path=/tmp%00x`, '', 'invalid value for path: must not contain a NUL byte');
    await expect400('HEAD', `/containers/${running}/archive?path=/etc%00x`, undefined, '');
    // a name longer than the file system allows (255 bytes) is the request's fault, not a 500
    const long = `/tmp/${'n'.repeat(300)}`;
    await expect400('GET', `/containers/${running}/archive?path=${long}`, undefined, 'file name too long');
    await expect400('PUT', `/containers/${running}/archive?path=${long}`, '', 'file name too long');
    await expect400('HEAD', `/containers/${running}/archive?path=${long}`, undefined, '');
    await expect400('POST', `/containers/${running}/stop?t=-99999999999999999999`, undefined, 'invalid value for t: strconv.Atoi: parsing "-99999999999999999999": value out of range');
    await expect400('POST', `/containers/${running}/stop?t=99999999999999999999`, undefined, 'invalid value for t: strconv.Atoi: parsing "99999999999999999999": value out of range');
    await expect400('POST', `/containers/${running}/kill?signal=SIGFOO`, undefined, 'Invalid signal: SIGFOO');
    await expect400('POST', '/containers/create', create({ HostConfig: { Memory: -1 } }), 'Minimum memory limit allowed is 6MB');
    await expect400('POST', '/containers/create', create({ HostConfig: { Memory: 1e20 } }), 'json: cannot unmarshal number 100000000000000000000 into Go struct field HostConfig.HostConfig.Memory of type int64');
    await expect400('POST', '/containers/create', create({ HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '99999' }] } } }), 'invalid port specification: "99999"');
    await expect400('POST', '/containers/create', create({ ExposedPorts: { '70000/tcp': {} } }), 'invalid port specification: "70000/tcp"');
    await expect400('POST', '/containers/create', create({ StopSignal: 'SIGFOO' }), 'Invalid signal: SIGFOO');
    await expect400('POST', '/containers/create', create({ WorkingDir: '/a\u0000b' }), 'invalid WorkingDir: must not contain a NUL byte');
    await expect400('POST', '/containers/create', create({ Hostname: 'h'.repeat(65) }), 'invalid Hostname: longer than 64 characters');
    await expect400('POST', '/containers/create?name=a%00b', create({}), 'invalid value for name: must not contain a NUL byte');
    await expect400('POST', '/volumes/create', { Name: 'v'.repeat(300) }, 'volume name is too long');
    await expect400('POST', '/containers/create', create({ HostConfig: { Binds: [`${'v'.repeat(300)}:/data`] } }), 'volume name is too long');
    await expect400('POST', '/containers/create', '['.repeat(40_000), "invalid JSON: invalid character '[' exceeded max depth of 100");
    await expect400('POST', '/containers/create', `{"Image":"busybox","Labels":{"a":${'['.repeat(200)}`, 'exceeded max depth');
    await expect400('POST', '/containers/create', `{"Image":"busybox","Env":["${'x'.repeat(5 * 1024 * 1024)}"]}`, 'request body is too large');
    await expect400('POST', `/exec/${exec}/start`, { Detach: 'yes' }, 'json: cannot unmarshal string into Go struct field ExecStartCheck.Detach of type bool');
    await expect400('POST', `/containers/${running}/resize?h=70000&w=80`, undefined, 'invalid value for h');
    await expect400('GET', `/containers/json?filters=${encodeURIComponent('{"status":[5]}')}`, undefined, 'invalid filter');
    // a bad bind after a good one: the good one's volume is not made
    await expect400('POST', '/containers/create', create({ HostConfig: { Binds: ['newvol:/a', '/x:/y:zzz'] } }), /invalid/i);
  });

  it('an import whose tag cannot be one creates nothing, and the listings keep working', async () => {
    await expect400('POST', '/images/create?fromSrc=-&repo=imported&tag=%40%40%40', 'not a tar', 'invalid tag format');
    await expect400('POST', '/images/busybox/tag?repo=busybox&tag=%40%40', undefined, 'invalid tag format');
    assert.equal(await inventory(), before);
    const save = await d.api('GET', '/images/get?names=busybox');
    assert.equal(save.status, 200);
  });

  it('/exec/{id}/start with a null body starts the exec as an empty one would', async () => {
    const exec = JSON.parse((await d.api('POST', `/containers/${running}/exec`, { Cmd: ['true'] })).body).Id as string;
    const r = await d.api('POST', `/exec/${exec}/start`, 'null');
    assert.equal(r.status, 200);
  });

  it('nothing the malformed requests sent was kept', async () => {
    assert.equal(await inventory(), before);
  });
});

/** A deterministic generator (mulberry32): the same run every time, seeded per route. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  patternProperties?: Record<string, Node>;
  items?: Node;
  prefixItems?: Node[];
  anyOf?: Node[];
  goNullable?: boolean;
  goStrSlice?: boolean;
  pattern?: string;
}

const unwrap = (n: Node): Node => (n.goNullable && n.anyOf ? n.anyOf[0] : n);

/** Values no field of this type accepts, whatever the checks beyond the type. */
function wrongValues(node: Node): unknown[] {
  const n = unwrap(node);
  switch (n.type) {
    case 'string':
      return [5, true, {}, [], ...(n.pattern ? ['a\u0000b'] : [])];
    case 'integer':
      return ['5', 1.5, 1e20, true, {}];
    case 'number':
      return ['5', true, []];
    case 'boolean':
      return ['true', 1, {}];
    case 'array': {
      const item = n.prefixItems?.[0] ?? n.items;
      return [{}, 5, ...(n.goStrSlice ? [] : ['x']), ...(item && !item.goNullable && item.type !== undefined ? [[null]] : [])];
    }
    case 'object':
      return [[], 5, 'x'];
    default:
      return [];
  }
}

/** Every field path of a body schema (struct fields, and one key into maps), to a depth of 4. */
function fields(node: Node, path: string[] = [], depth = 0): Array<{ path: string[]; node: Node }> {
  const n = unwrap(node);
  const out: Array<{ path: string[]; node: Node }> = [];
  if (depth > 4) return out;
  if (n.properties) {
    for (const [name, f] of Object.entries(n.properties)) {
      out.push({ path: [...path, name], node: f });
      out.push(...fields(f, [...path, name], depth + 1));
    }
  } else if (n.patternProperties) {
    const value = Object.values(n.patternProperties)[0];
    out.push(...fields(value, [...path, 'key'], depth + 1));
  }
  return out;
}

function bodyWith(path: string[], value: unknown): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let cur = root;
  for (let i = 0; i < path.length - 1; i++) cur = cur[path[i]] = {} as Record<string, unknown>;
  cur[path.at(-1)!] = value;
  return root;
}

const concrete = (path: string) => path.replace(/:(\w+)/g, 'no-such-$1').replace(/\*name/, 'no-such-image');

describe('a seeded set of malformed requests for every route', () => {
  it('a wrong value of every declared query parameter is a 400 naming it', async () => {
    const before = await inventory();
    const rand = random(16);
    let sent = 0;
    for (const r of allRoutes().routes()) {
      for (const [name, param] of Object.entries(r.spec.query)) {
        const bad =
          param.type === 'integer'
            ? ['abc', '1.5', '99999999999999999999', '-99999999999999999999', '0x10']
            : param.type === 'string' || param.type === 'array'
              ? ['a\u0000b', '\u0000']
              : name === 'filters'
                ? ['[1]', '{"a":[5]}']
                : [];
        if (name === 'filters') bad.push('{', '{"a":{"b":1}}');
        if (bad.length === 0) continue;
        const value = bad[Math.floor(rand() * bad.length)];
        const body = typeof r.spec.body === 'object' ? {} : undefined;
        await expect400(r.method, `${concrete(r.path)}?${name}=${encodeURIComponent(value)}`, body, name === 'filters' ? 'filter' : name);
        sent++;
      }
    }
    assert.ok(sent > 40, `only ${sent} requests`);
    assert.equal(await inventory(), before);
  });

  it('a wrong value of every body field is a 400 naming it', async () => {
    const before = await inventory();
    let sent = 0;
    for (const r of allRoutes().routes()) {
      if (typeof r.spec.body !== 'object') continue;
      const rand = random(sent + 1);
      for (const { path, node } of fields(r.spec.body as Node)) {
        const values = wrongValues(node);
        if (values.length === 0) continue;
        // two wrong values per field, chosen by the seed
        for (let k = 0; k < 2; k++) {
          const value = values[Math.floor(rand() * values.length)];
          const named = path.filter((p) => p !== 'key').at(-1)!;
          await expect400(r.method, concrete(r.path), bodyWith(path, value), named);
          sent++;
        }
      }
    }
    assert.ok(sent > 300, `only ${sent} requests`);
    assert.equal(await inventory(), before);
  });
});

describe("stop's timeout", () => {
  it('a timeout past what a timer holds leaves the container running while it waits', async () => {
    const id = JSON.parse((await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "" TERM; sleep 300'] })).body).Id;
    assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
    const stopping = d.api('POST', `/containers/${id}/stop?t=9999999999`);
    // the stop is under way (the SIGTERM is ignored); the container must still be running
    const state = async () => JSON.parse((await d.api('GET', `/containers/${id}/json`)).body).State as { Running: boolean; ExitCode: number };
    for (let i = 0; i < 20; i++) assert.equal((await state()).Running, true, 'killed at once by an overflowing timer');
    assert.equal((await d.api('DELETE', `/containers/${id}?force=1`)).status, 204);
    assert.equal((await stopping).status, 204);
  });

  it('stop -t -1 waits for the process, and rm -f still removes the container', async () => {
    const id = JSON.parse((await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "" TERM; sleep 300'] })).body).Id;
    assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
    let stopped = false;
    const stopping = d.api('POST', `/containers/${id}/stop?t=-1`).then((r) => {
      stopped = true;
      return r;
    });
    for (let i = 0; i < 20; i++) assert.equal(JSON.parse((await d.api('GET', `/containers/${id}/json`)).body).State.Running, true);
    assert.equal(stopped, false);
    const rm = await d.api('DELETE', `/containers/${id}?force=1`);
    assert.equal(rm.status, 204, rm.body);
    assert.equal((await stopping).status, 204);
    assert.equal((await d.api('GET', `/containers/${id}/json`)).status, 404);
  });

  it('restart -t -1 cut short by rm -f answers as dockerd does and starts nothing', async () => {
    const id = JSON.parse((await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "" TERM; sleep 300'] })).body).Id;
    assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
    const restarting = d.api('POST', `/containers/${id}/restart?t=-1`);
    for (let i = 0; i < 20; i++) assert.equal(JSON.parse((await d.api('GET', `/containers/${id}/json`)).body).State.Running, true);
    assert.equal((await d.api('DELETE', `/containers/${id}?force=1`)).status, 204);
    const r = await restarting;
    assert.equal(r.status, 409);
    assert.equal(message(r.body), `Cannot restart container ${id}: container is marked for removal and cannot be started`);
    assert.equal((await d.api('GET', `/containers/${id}/json`)).status, 404);
  });
});
