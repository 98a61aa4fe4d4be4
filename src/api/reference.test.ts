// Holds the schemas the routes declare to the Engine API's published description (API 1.43, read
// in place from the shared reference folder): every query parameter and every body field we
// accept exists there, at the same place, with a compatible type. The few fields dockerd's Go
// types have but the description leaves out are listed below with the reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { referenceDir } from '../../test/helpers/reference.ts';
import { allRoutes } from './all-routes.test-support.ts';

type J = Record<string, unknown>;
const reference = parse(readFileSync(join(referenceDir(), 'docker-engine-api-v1.43.yaml'), 'utf8')) as J;

/** Accepted although the description does not list them: dockerd's Go types have them. */
const outsideReference: Record<string, string> = {
  'POST /auth body.auth': 'types.AuthConfig.Auth, the base64 user:password the CLI may send',
  'POST /auth body.identitytoken': 'types.AuthConfig.IdentityToken (token logins)',
  'POST /auth body.registrytoken': 'types.AuthConfig.RegistryToken',
  'POST /containers/:id/exec body.Detach': 'types.ExecConfig.Detach, sent by the docker CLI',
  'POST /containers/create body.Healthcheck.StartInterval': 'API 1.44 field, kept in Berth\'s container config',
  'POST /commit body.Healthcheck.StartInterval': 'API 1.44 field, kept in Berth\'s container config',
  'POST /containers/create body.Platform': 'the platform docker CLI 28 sends in the body',
  'POST /containers/create body.HostConfig.KernelMemory': 'container.Resources.KernelMemory, deprecated (a warning) but still sent by the docker CLI',
  'POST /containers/:id/update body.KernelMemory': 'container.Resources.KernelMemory, deprecated (a warning) but still sent by the docker CLI update',
};

/** Routes dockerd serves that the description leaves out. */
const routesOutsideReference: Record<string, string> = {
  'POST /build/cancel': "dockerd's build router: cancels the build a client named with buildid",
};

/** Query parameters dockerd reads that the description leaves out (its ImageBuildOptions, logs' details). */
const queryOutsideReference: Record<string, string> = {
  'GET /containers/:id/logs ?details': 'dockerd reads it (BoolValue "details") and the docker CLI sends it for logs --details',
  'POST /build ?cpusetmems': 'ImageBuildOptions.CPUSetMems, sent by the docker CLI',
  'POST /build ?cgroupparent': 'ImageBuildOptions.CgroupParent, sent by the docker CLI',
  'POST /build ?securityopt': 'ImageBuildOptions.SecurityOpt, read to be refused as dockerd on Linux refuses it',
  'POST /build ?ulimits': 'ImageBuildOptions.Ulimits, read to be refused (not carried out)',
  'POST /build ?isolation': 'ImageBuildOptions.Isolation, read to be refused unless "default"',
  'POST /build ?session': 'ImageBuildOptions.SessionID (BuildKit sessions), read to be refused',
  'POST /build ?buildid': 'ImageBuildOptions.BuildID, the name /build/cancel takes',
  'POST /build/cancel ?id': 'the build to cancel',
};

/** Query parameters read as another type than the description says, and why. */
const queryTypeExceptions: Record<string, string> = {
  'POST /build ?pull': 'described as a string; dockerd reads it with BoolValue',
  'PUT /containers/:id/archive ?noOverwriteDirNonDir': "described as a string; dockerd reads it with BoolValue",
  'PUT /containers/:id/archive ?copyUIDGID': "described as a string; dockerd reads it with BoolValue",
  'GET /containers/:id/logs ?since': 'described as an integer; clients send fractional timestamps ("1700000000.123456789")',
  'GET /containers/:id/logs ?until': 'described as an integer; clients send fractional timestamps',
};
/** A repeated parameter (changes=…&changes=…) is described as one string. */
const queryTypeOk = (ours: string, theirs: string) => ours === theirs || (ours === 'array' && theirs === 'string');

function deref(s: unknown): J {
  let cur = (s ?? {}) as J;
  for (let i = 0; i < 20 && typeof cur.$ref === 'string'; i++) {
    const parts = (cur.$ref as string).replace(/^#\//, '').split('/');
    cur = { ...parts.reduce<J>((o, p) => o[p] as J, reference), ...Object.fromEntries(Object.entries(cur).filter(([k]) => k !== '$ref')) };
  }
  return cur;
}

/** A reference schema with its allOf parts merged into one. */
function flatten(s: unknown): J {
  const d = deref(s);
  if (!Array.isArray(d.allOf)) return d;
  const merged: J = { ...d, properties: { ...((d.properties as J) ?? {}) } };
  delete merged.allOf;
  for (const part of d.allOf as unknown[]) {
    const f = flatten(part);
    Object.assign(merged.properties as J, (f.properties as J) ?? {});
    if (f.type) merged.type = f.type;
    if (f.additionalProperties) merged.additionalProperties = f.additionalProperties;
  }
  return merged;
}

interface Ours {
  type?: string;
  properties?: Record<string, Ours>;
  patternProperties?: Record<string, Ours>;
  items?: Ours;
  prefixItems?: Ours[];
  anyOf?: Ours[];
  goNullable?: boolean;
}

const unwrap = (s: Ours): Ours => (s.goNullable && s.anyOf ? s.anyOf[0] : s);

/** Compares our node with theirs; pushes a problem for each field of ours that has no match. */
const usedExceptions = new Set<string>();

function compare(ours: Ours, theirs: unknown, at: string, problems: string[]): void {
  const o = unwrap(ours);
  const t = flatten(theirs);
  const tType = (t.type as string | undefined) ?? (t.properties ? 'object' : undefined);
  if (o.type === 'object' && o.properties) {
    if (tType !== undefined && tType !== 'object') return void problems.push(`${at}: we read an object, the reference a ${tType}`);
    const theirProps = (t.properties as J | undefined) ?? {};
    for (const [name, field] of Object.entries(o.properties)) {
      const where = `${at}.${name}`;
      if (!(name in theirProps)) {
        if (outsideReference[where]) usedExceptions.add(where);
        else problems.push(`${where}: not in the reference`);
        continue;
      }
      compare(field, theirProps[name], where, problems);
    }
  } else if (o.type === 'object' && o.patternProperties) {
    if (tType !== 'object') return void problems.push(`${at}: we read a map, the reference a ${tType}`);
    const value = Object.values(o.patternProperties)[0];
    if (t.additionalProperties && typeof t.additionalProperties === 'object') compare(value, t.additionalProperties, at, problems);
  } else if (o.type === 'array') {
    if (tType !== 'array') return void problems.push(`${at}: we read a list, the reference a ${tType}`);
    const item = o.prefixItems?.[0] ?? o.items;
    if (item && t.items) compare(item, t.items, at, problems);
  } else if (o.type === 'integer') {
    if (tType !== 'integer' && tType !== 'number') problems.push(`${at}: we read an integer, the reference a ${tType}`);
  } else if (o.type === 'string' || o.type === 'boolean' || o.type === 'number') {
    if (tType !== undefined && tType !== o.type) problems.push(`${at}: we read a ${o.type}, the reference a ${tType}`);
  }
}

const paths = reference.paths as Record<string, Record<string, { parameters?: Array<J> }>>;
const referencePath = (path: string) => path.replace(/[:*](\w+)/g, '{$1}');

describe('the routes against the Engine API description (1.43)', () => {
  const routes = allRoutes().routes();

  it('every route exists in the description', () => {
    const missing = routes.filter((r) => !paths[referencePath(r.path)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.path}`);
    for (const m of missing) if (routesOutsideReference[m]) usedExceptions.add(m);
    assert.deepEqual(missing.filter((m) => !routesOutsideReference[m]), []);
  });

  it('every query parameter we read exists there with a compatible type', () => {
    const problems: string[] = [];
    for (const r of routes) {
      const op = paths[referencePath(r.path)]?.[r.method.toLowerCase()];
      const params = (op?.parameters ?? []).filter((p) => p.in === 'query');
      for (const [name, param] of Object.entries(r.spec.query)) {
        const theirs = params.find((p) => p.name === name);
        const where = `${r.method} ${r.path} ?${name}`;
        if (!theirs) {
          if (queryOutsideReference[where]) usedExceptions.add(where);
          else problems.push(`${where}: not in the reference`);
        } else if (queryTypeOk(param.type, String(theirs.type))) continue;
        else if (queryTypeExceptions[where]) usedExceptions.add(where);
        else problems.push(`${where}: ours ${param.type}, reference ${String(theirs.type)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every body field we read exists there with a compatible type', () => {
    const problems: string[] = [];
    for (const r of routes) {
      if (typeof r.spec.body !== 'object') continue;
      const op = paths[referencePath(r.path)]?.[r.method.toLowerCase()];
      const bodyParam = (op?.parameters ?? []).find((p) => p.in === 'body');
      if (!bodyParam) {
        problems.push(`${r.method} ${r.path}: the reference has no body`);
        continue;
      }
      compare(r.spec.body as Ours, bodyParam.schema, `${r.method} ${r.path} body`, problems);
    }
    assert.deepEqual(problems, []);
  });

  it('every exception is still needed', () => {
    // runs after the comparisons above, which record the exceptions they used
    const all = [...Object.keys(routesOutsideReference), ...Object.keys(queryOutsideReference), ...Object.keys(queryTypeExceptions), ...Object.keys(outsideReference)];
    assert.deepEqual(all.filter((k) => !usedExceptions.has(k)), []);
  });
});
