import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { AccessPolicy, covers, parseBasic, parseScope, patternMatches, requiredAccess, scopeString, TokenAuth } from './auth.ts';
import { RegistryApiError } from './errors.ts';
import { libtrustKeyId, signJwt, verifyJwt } from './jwt.ts';

describe('scopes', () => {
  it('parses scopes whose names hold colons, and writes them back', () => {
    assert.deepEqual(parseScope('repository:team/app:pull,push'), { type: 'repository', name: 'team/app', actions: ['pull', 'push'] });
    assert.deepEqual(parseScope('repository:reg:5000/app:pull'), { type: 'repository', name: 'reg:5000/app', actions: ['pull'] });
    assert.deepEqual(parseScope('repository(plugin):x:pull'), { type: 'repository', name: 'x', actions: ['pull'] });
    assert.equal(parseScope('nonsense'), undefined);
    assert.equal(scopeString({ type: 'registry', name: 'catalog', actions: ['*'] }), 'registry:catalog:*');
  });

  it('needs pull to read, pull+push to write, delete to delete, pull on a mount source', () => {
    assert.deepEqual(requiredAccess('GET', 'a'), [{ type: 'repository', name: 'a', actions: ['pull'] }]);
    assert.deepEqual(requiredAccess('HEAD', 'a'), [{ type: 'repository', name: 'a', actions: ['pull'] }]);
    assert.deepEqual(requiredAccess('PATCH', 'a'), [{ type: 'repository', name: 'a', actions: ['pull', 'push'] }]);
    assert.deepEqual(requiredAccess('DELETE', 'a'), [{ type: 'repository', name: 'a', actions: ['delete'] }]);
    assert.deepEqual(requiredAccess('POST', 'a', { mountFrom: 'b' }), [
      { type: 'repository', name: 'a', actions: ['pull', 'push'] },
      { type: 'repository', name: 'b', actions: ['pull'] },
    ]);
    assert.deepEqual(requiredAccess('GET', undefined, { catalog: true }), [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
  });

  it('checks that grants cover every needed action', () => {
    const need = requiredAccess('PUT', 'a');
    assert.ok(covers([{ type: 'repository', name: 'a', actions: ['pull', 'push'] }], need));
    assert.ok(covers([{ type: 'repository', name: 'a', actions: ['*'] }], need));
    assert.ok(!covers([{ type: 'repository', name: 'a', actions: ['pull'] }], need));
    assert.ok(!covers([{ type: 'repository', name: 'b', actions: ['pull', 'push'] }], need));
    assert.ok(covers([], []));
  });
});

describe('access rules', () => {
  const policy = new AccessPolicy({
    groups: { devs: ['alice', 'bob'], readers: ['carol'] },
    rules: [
      { repository: 'team/**', groups: ['devs'], actions: ['pull', 'push'] },
      { repository: 'team/**', users: ['alice'], actions: ['delete'] },
      { repository: '**', groups: ['readers'], actions: ['pull'] },
      { repository: 'public/*', anonymous: true, actions: ['pull'] },
    ],
  });

  it('matches patterns: * within a component, ** across', () => {
    assert.ok(patternMatches('team/*', 'team/app'));
    assert.ok(!patternMatches('team/*', 'team/a/b'));
    assert.ok(patternMatches('team/**', 'team/a/b'));
    assert.ok(patternMatches('**', 'x'));
    assert.ok(!patternMatches('team.x/*', 'teamyx/a'));
  });

  it('grants users and groups their actions, read-only users only pull, anonymous only where allowed', () => {
    assert.deepEqual(policy.actions('alice', 'team/app').sort(), ['delete', 'pull', 'push']);
    assert.deepEqual(policy.actions('bob', 'team/app').sort(), ['pull', 'push']);
    assert.deepEqual(policy.actions('carol', 'team/app'), ['pull']);
    assert.deepEqual(policy.actions('bob', 'other/app'), []);
    assert.deepEqual(policy.actions(undefined, 'public/x'), ['pull']);
    assert.deepEqual(policy.actions(undefined, 'team/app'), []);
    assert.deepEqual(policy.grant('carol', requiredAccess('PUT', 'team/app')), [{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
  });

  it('without rules, authenticated users may do everything and anonymous ones nothing (distribution)', () => {
    const open = new AccessPolicy(undefined);
    assert.deepEqual(open.actions('anyone', 'x').sort(), ['delete', 'pull', 'push']);
    assert.deepEqual(open.actions(undefined, 'x'), []);
  });

  it('reads Basic credentials, passwords with colons included', () => {
    assert.deepEqual(parseBasic(`Basic ${Buffer.from('u:p:q').toString('base64')}`), { user: 'u', password: 'p:q' });
    assert.equal(parseBasic('Bearer x'), undefined);
  });
});

describe('tokens', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const kid = libtrustKeyId(publicKey);
  const trust = { keys: new Map([[kid, publicKey]]), roots: [] };
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: 'iss', aud: 'svc', sub: 'alice', exp: now + 60, nbf: now - 1, access: [{ type: 'repository', name: 'a', actions: ['pull'] }] };

  it('signs ES256 and RS256 and verifies with the libtrust key id', () => {
    assert.match(kid, /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    const t = signJwt(claims, privateKey, { kid });
    assert.deepEqual(verifyJwt(t, trust).claims, claims);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rkid = libtrustKeyId(rsa.publicKey);
    const rt = signJwt(claims, rsa.privateKey, { kid: rkid });
    assert.equal(JSON.parse(Buffer.from(rt.split('.')[0], 'base64url').toString()).alg, 'RS256');
    assert.deepEqual(verifyJwt(rt, { keys: new Map([[rkid, rsa.publicKey]]), roots: [] }).claims, claims);
  });

  it('refuses a tampered token, an unknown key, a wrong issuer or audience, an expired token', async () => {
    const t = signJwt(claims, privateKey, { kid });
    const [h, , s] = t.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, access: [{ type: 'repository', name: 'a', actions: ['*'] }] })).toString('base64url')}.${s}`;
    assert.throws(() => verifyJwt(forged, trust), /invalid token signature/);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    assert.throws(() => verifyJwt(signJwt(claims, other.privateKey, { kid: libtrustKeyId(other.publicKey) }), trust), /unknown token signing key/);
    const auth = new TokenAuth({ realm: 'http://x/token', service: 'svc', issuer: 'iss', trust });
    const ok = await auth.authenticate(`Bearer ${t}`, []);
    assert.equal(ok.user, 'alice');
    assert.deepEqual(ok.granted, claims.access);
    for (const bad of [{ iss: 'other' }, { aud: 'other' }, { exp: now - 3600 }]) {
      await assert.rejects(auth.authenticate(`Bearer ${signJwt({ ...claims, ...bad }, privateKey, { kid })}`, []), (err: unknown) => err instanceof RegistryApiError && err.code === 'UNAUTHORIZED');
    }
    assert.equal(auth.challenge(requiredAccess('GET', 'a'), 'insufficient_scope'), 'Bearer realm="http://x/token",service="svc",scope="repository:a:pull",error="insufficient_scope"');
  });
});
