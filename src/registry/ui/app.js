// Berth registry web UI: repositories, tags (size, created, architecture, digest), a manifest's
// layers and config, the pull command, tag deletion, search, and login for protected registries.
// Plain DOM (text nodes only: names and labels come from the registry), hash routes:
//   #/            repositories          #/r/<name>            its tags
//   #/r/<name>/m/<tag or digest>        one manifest
'use strict';

const manifestAccept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const indexTypes = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

const state = { config: { title: 'Berth registry', deleteEnabled: false, auth: 'none' }, credentials: null, tokens: new Map(), repos: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function humanSize(n) {
  if (n === undefined || n === null || Number.isNaN(n)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 2 : 1)} ${units[i]}`;
}

function timeAgo(iso) {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const s = Math.max(0, (Date.now() - t) / 1000);
  const steps = [[60, 'second'], [60, 'minute'], [24, 'hour'], [30, 'day'], [12, 'month'], [Infinity, 'year']];
  let v = s;
  for (const [size, unit] of steps) {
    if (v < size) { const r = Math.floor(v); return `${r} ${unit}${r === 1 ? '' : 's'} ago`; }
    v /= size;
  }
  return iso;
}

const shortDigest = (d) => (d ? d.replace(/^(sha\d+:)([0-9a-f]{12}).*$/, '$1$2') : '—');
const status = (text, error) => { const s = $('status'); s.textContent = text || ''; s.classList.toggle('error', !!error); };

// --- talking to the registry --------------------------------------------------------------

function parseChallenge(header) {
  if (!header) return null;
  const m = /^(\w+)\s+(.*)$/.exec(header.trim());
  if (!m) return null;
  const params = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g)) params[p[1]] = p[2];
  return { scheme: m[1].toLowerCase(), params };
}

async function fetchToken(challenge) {
  const url = new URL(challenge.params.realm, location.href);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  if (challenge.params.scope) for (const s of challenge.params.scope.split(' ')) url.searchParams.append('scope', s);
  const headers = {};
  if (state.credentials) headers.Authorization = `Basic ${btoa(`${state.credentials.user}:${state.credentials.password}`)}`;
  const res = await fetch(url, { headers, credentials: 'omit' });
  if (res.status === 401) throw Object.assign(new Error('incorrect username or password'), { status: 401 });
  if (!res.ok) throw new Error(`token service answered ${res.status}`);
  const body = await res.json();
  return body.token || body.access_token;
}

class AuthNeeded extends Error {}

/** A registry request with the UI's credentials; learns Bearer challenges and retries once. */
async function api(path, options = {}, retried = false) {
  const headers = { 'X-Berth-UI': '1', ...(options.headers || {}) };
  const key = `${options.method || 'GET'} ${path.replace(/\?.*$/, '')}`;
  const token = state.tokens.get(key);
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (state.credentials && state.config.auth === 'htpasswd') headers.Authorization = `Basic ${btoa(`${state.credentials.user}:${state.credentials.password}`)}`;
  const res = await fetch(path, { ...options, headers, credentials: 'omit' });
  if (res.status !== 401) return res;
  const challenge = parseChallenge(res.headers.get('X-Berth-Authenticate') || res.headers.get('WWW-Authenticate'));
  if (challenge && challenge.scheme === 'bearer' && !retried && challenge.params.error !== 'insufficient_scope') {
    state.tokens.set(key, await fetchToken(challenge));
    return api(path, options, true);
  }
  throw new AuthNeeded(state.credentials ? 'These credentials do not give access to this.' : 'This registry needs you to log in.');
}

async function errorText(res) {
  try {
    const body = await res.json();
    if (body.errors && body.errors[0]) return `${body.errors[0].code}: ${body.errors[0].message}`;
  } catch { /* not JSON */ }
  return `${res.status} ${res.statusText}`;
}

async function allPages(path, field) {
  const out = [];
  let next = path;
  while (next) {
    const res = await api(next, { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(await errorText(res));
    const body = await res.json();
    out.push(...(body[field] || []));
    const link = /<([^>]+)>;\s*rel="?next"?/.exec(res.headers.get('Link') || '');
    next = link ? link[1] : null;
  }
  return out;
}

async function getManifest(name, reference) {
  const res = await api(`/v2/${name}/manifests/${reference}`, { headers: { Accept: manifestAccept } });
  if (!res.ok) throw new Error(await errorText(res));
  const body = await res.json();
  return { body, digest: res.headers.get('Docker-Content-Digest'), mediaType: (res.headers.get('Content-Type') || '').split(';')[0], size: Number(res.headers.get('Content-Length')) };
}

async function getConfig(name, digest) {
  const res = await api(`/v2/${name}/blobs/${digest}`);
  if (!res.ok) throw new Error(await errorText(res));
  return res.json();
}

/** What the tag table shows for one tag. */
async function describe(name, tag) {
  const m = await getManifest(name, tag);
  if (indexTypes.has(m.mediaType) || m.body.manifests) {
    const platforms = (m.body.manifests || []).map((d) => d.platform).filter((p) => p && p.architecture !== 'unknown').map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`);
    const size = (m.body.manifests || []).reduce((n, d) => n + (d.size || 0), 0);
    return { tag, digest: m.digest, size, created: null, architecture: platforms.join(', ') || 'multi-platform', index: true };
  }
  const layers = m.body.layers || [];
  const size = (m.body.config ? m.body.config.size : 0) + layers.reduce((n, l) => n + (l.size || 0), 0);
  let created = null;
  let architecture = m.body.artifactType || (m.body.config && m.body.config.mediaType) || '';
  if (m.body.config && /json/.test(m.body.config.mediaType) && m.body.config.size < 4 << 20) {
    try {
      const c = await getConfig(name, m.body.config.digest);
      created = c.created || null;
      if (c.architecture) architecture = `${c.os || 'linux'}/${c.architecture}${c.variant ? `/${c.variant}` : ''}`;
    } catch { /* an artifact's config need not be an image config */ }
  }
  return { tag, digest: m.digest, size, created, architecture };
}

// --- views -----------------------------------------------------------------------------------

function crumbs(parts) {
  const ol = $('crumbs');
  ol.replaceChildren(...parts.map((p, i) => el('li', {}, i === parts.length - 1 ? el('span', { 'aria-current': 'page' }, p.label) : el('a', { href: p.href }, p.label))));
}

function show(...nodes) {
  $('view').replaceChildren(...nodes);
  const h1 = $('view').querySelector('h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: false }); }
}

const registryHost = () => location.host;

function pullCommand(ref) {
  const cmd = `docker pull ${registryHost()}/${ref}`;
  const code = el('code', {}, cmd);
  const button = el('button', { type: 'button', class: 'small', 'aria-label': `Copy: ${cmd}` }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(cmd);
      status(`Copied: ${cmd}`);
    } catch {
      const range = document.createRange();
      range.selectNodeContents(code);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      status('Press Ctrl+C to copy the selected command.');
    }
  });
  return el('div', { class: 'pull' }, code, button);
}

async function repositoriesView() {
  crumbs([{ label: 'Repositories', href: '#/' }]);
  status('Loading repositories…');
  state.repos = await allPages('/v2/_catalog?n=1000', 'repositories');
  renderRepositories();
}

function renderRepositories() {
  const q = $('search').value.trim().toLowerCase();
  const repos = (state.repos || []).filter((r) => r.toLowerCase().includes(q));
  status(`${repos.length} repositor${repos.length === 1 ? 'y' : 'ies'}${q ? ` matching “${q}”` : ''}`);
  show(
    el('h1', {}, 'Repositories'),
    repos.length
      ? el('ul', { class: 'repos', 'aria-label': 'Repositories' }, repos.map((r) => el('li', {}, el('a', { href: `#/r/${r}` }, r))))
      : el('p', {}, q ? 'No repository matches your search.' : 'No repositories yet. Push one: docker push ' + registryHost() + '/team/app:1.0'),
  );
}

async function repositoryView(name) {
  crumbs([{ label: 'Repositories', href: '#/' }, { label: name, href: `#/r/${name}` }]);
  status(`Loading tags of ${name}…`);
  const tags = await allPages(`/v2/${name}/tags/list?n=1000`, 'tags');
  const rows = [];
  const tbody = el('tbody');
  const table = el('table', { class: 'stack' },
    el('caption', {}, `${tags.length} tag${tags.length === 1 ? '' : 's'}`),
    el('thead', {}, el('tr', {}, ['Tag', 'Size', 'Created', 'Architecture', 'Digest', ...(state.config.deleteEnabled ? ['Actions'] : [])].map((h) => el('th', { scope: 'col' }, h)))),
    tbody);
  show(el('h1', {}, name), pullCommand(`${name}:${tags[0] || 'latest'}`), el('div', { class: 'card' }, table));
  for (const tag of tags) {
    const tr = el('tr', { 'data-tag': tag });
    tr.append(el('td', { 'data-label': 'Tag' }, el('a', { href: `#/r/${name}/m/${tag}` }, tag)), ...['Size', 'Created', 'Architecture', 'Digest'].map((l) => el('td', { 'data-label': l }, '…')), ...(state.config.deleteEnabled ? [el('td', { 'data-label': 'Actions' })] : []));
    tbody.append(tr);
    rows.push(tr);
  }
  const queue = [...tags];
  const worker = async () => {
    while (queue.length) {
      const tag = queue.shift();
      const tr = rows[tags.indexOf(tag)];
      try {
        const d = await describe(name, tag);
        const cells = tr.children;
        cells[1].replaceChildren(humanSize(d.size));
        cells[1].className = 'num';
        cells[2].replaceChildren(d.created ? el('time', { datetime: d.created, title: d.created }, timeAgo(d.created)) : '—');
        cells[3].replaceChildren(d.architecture || '—');
        cells[4].replaceChildren(el('code', { title: d.digest }, shortDigest(d.digest)));
        if (state.config.deleteEnabled) {
          cells[5].replaceChildren(el('button', { type: 'button', class: 'small danger', 'aria-label': `Delete tag ${tag}`, onclick: () => deleteTag(name, tag) }, 'Delete'));
        }
      } catch (err) {
        if (err instanceof AuthNeeded) throw err;
        tr.children[1].replaceChildren(el('span', { class: 'error' }, err.message));
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  status(`${tags.length} tag${tags.length === 1 ? '' : 's'} in ${name}`);
}

async function deleteTag(name, tag) {
  $('confirm-text').textContent = `Delete the tag ${name}:${tag}? The image stays in the registry under its digest and under its other tags until garbage collection.`;
  const dialog = $('confirm-dialog');
  dialog.returnValue = '';
  dialog.showModal();
  const answer = await new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue), { once: true }));
  if (answer !== 'yes') return;
  try {
    const res = await api(`/v2/${name}/manifests/${tag}`, { method: 'DELETE' });
    if (res.status === 403) throw new Error('You may not delete tags in this repository.');
    if (!res.ok) throw new Error(await errorText(res));
    await repositoryView(name);
    status(`Deleted ${name}:${tag}`);
  } catch (err) {
    if (err instanceof AuthNeeded) return askLogin(err.message);
    status(`Could not delete ${name}:${tag}: ${err.message}`, true);
  }
}

async function manifestView(name, reference) {
  const isDigest = reference.includes(':');
  crumbs([{ label: 'Repositories', href: '#/' }, { label: name, href: `#/r/${name}` }, { label: isDigest ? shortDigest(reference) : reference, href: `#/r/${name}/m/${reference}` }]);
  status(`Loading ${name}${isDigest ? '@' : ':'}${reference}…`);
  const m = await getManifest(name, reference);
  const parts = [el('h1', {}, `${name}${isDigest ? '@' + shortDigest(reference) : ':' + reference}`), pullCommand(isDigest ? `${name}@${reference}` : `${name}:${reference}`)];
  const facts = [['Digest', el('code', {}, m.digest)], ['Media type', m.mediaType], ['Manifest size', humanSize(m.size)]];
  if (m.body.artifactType) facts.push(['Artifact type', m.body.artifactType]);
  if (m.body.subject) facts.push(['Subject', el('a', { href: `#/r/${name}/m/${m.body.subject.digest}` }, shortDigest(m.body.subject.digest))]);
  if (indexTypes.has(m.mediaType) || m.body.manifests) {
    parts.push(el('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
    parts.push(el('h2', { id: 'platforms' }, 'Platforms'));
    parts.push(el('div', { class: 'card' }, el('table', { class: 'stack', 'aria-labelledby': 'platforms' },
      el('thead', {}, el('tr', {}, ['Platform', 'Size', 'Digest'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, (m.body.manifests || []).map((d) => el('tr', {},
        el('td', { 'data-label': 'Platform' }, d.platform ? `${d.platform.os}/${d.platform.architecture}${d.platform.variant ? '/' + d.platform.variant : ''}` : (d.artifactType || d.mediaType)),
        el('td', { 'data-label': 'Size', class: 'num' }, humanSize(d.size)),
        el('td', { 'data-label': 'Digest' }, el('a', { href: `#/r/${name}/m/${d.digest}` }, el('code', {}, shortDigest(d.digest))))))))));
  } else {
    const layers = m.body.layers || [];
    let config = null;
    if (m.body.config && /json/.test(m.body.config.mediaType)) {
      try { config = await getConfig(name, m.body.config.digest); } catch { config = null; }
    }
    if (config && config.architecture) facts.push(['Platform', `${config.os}/${config.architecture}${config.variant ? '/' + config.variant : ''}`]);
    if (config && config.created) facts.push(['Created', el('time', { datetime: config.created }, `${config.created} (${timeAgo(config.created)})`)]);
    facts.push(['Total size', humanSize((m.body.config ? m.body.config.size : 0) + layers.reduce((n, l) => n + l.size, 0))]);
    parts.push(el('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
    const history = config && Array.isArray(config.history) ? config.history.filter((h) => !h.empty_layer) : [];
    parts.push(el('h2', { id: 'layers' }, `Layers (${layers.length})`));
    parts.push(el('div', { class: 'card' }, el('table', { class: 'stack', 'aria-labelledby': 'layers' },
      el('thead', {}, el('tr', {}, ['#', 'Digest', 'Size', 'Media type', 'Created by'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, layers.map((l, i) => el('tr', { class: 'layer' },
        el('td', { 'data-label': '#' }, String(i + 1)),
        el('td', { 'data-label': 'Digest' }, el('code', { title: l.digest }, shortDigest(l.digest))),
        el('td', { 'data-label': 'Size', class: 'num' }, humanSize(l.size)),
        el('td', { 'data-label': 'Media type' }, l.mediaType),
        el('td', { 'data-label': 'Created by' }, el('code', {}, (history[i] && history[i].created_by) || '—'))))))));
    parts.push(el('h2', { id: 'config' }, 'Config'));
    parts.push(el('pre', { 'aria-labelledby': 'config', tabindex: '0' }, config ? JSON.stringify(config, null, 2) : JSON.stringify(m.body.config, null, 2)));
  }
  parts.push(el('h2', { id: 'raw' }, 'Manifest'));
  parts.push(el('pre', { 'aria-labelledby': 'raw', tabindex: '0' }, JSON.stringify(m.body, null, 2)));
  show(...parts);
  status(`${name}${isDigest ? '@' : ':'}${reference}`);
}

// --- routing, login -----------------------------------------------------------------------------

async function route() {
  const hash = decodeURIComponent(location.hash.slice(1) || '/');
  const m = /^\/r\/(.+?)(?:\/m\/([^/]+))?$/.exec(hash);
  try {
    if (m && m[2]) await manifestView(m[1], m[2]);
    else if (m) await repositoryView(m[1]);
    else await repositoriesView();
  } catch (err) {
    if (err instanceof AuthNeeded) {
      show(el('h1', {}, 'Log in'), el('p', {}, err.message));
      askLogin(err.message);
      return;
    }
    status(err.message, true);
    show(el('h1', {}, 'Something went wrong'), el('p', { class: 'error' }, err.message));
  }
}

function askLogin(message) {
  $('login-error').textContent = message && state.credentials ? message : '';
  const d = $('login-dialog');
  if (!d.open) d.showModal();
  $('login-user').focus();
}

function updateAccount() {
  const protectedRegistry = state.config.auth !== 'none';
  $('who').textContent = state.credentials ? `Logged in as ${state.credentials.user}` : '';
  $('login-button').hidden = !protectedRegistry || !!state.credentials;
  $('logout-button').hidden = !state.credentials;
}

async function login(user, password) {
  state.credentials = { user, password };
  state.tokens.clear();
  const res = await api('/v2/').catch((err) => err);
  if (res instanceof Error || !res.ok) {
    state.credentials = null;
    throw new Error('Incorrect username or password.');
  }
  sessionStorage.setItem('berth-registry-login', JSON.stringify(state.credentials));
  updateAccount();
}

async function start() {
  try {
    state.config = await (await fetch('config.json')).json();
  } catch { /* defaults */ }
  document.title = state.config.title;
  $('title').textContent = state.config.title;
  $('mode').textContent = [state.config.proxy ? 'pull-through cache' : '', state.config.readOnly ? 'read-only' : '', `auth: ${state.config.auth}`].filter(Boolean).join(' · ');
  const saved = sessionStorage.getItem('berth-registry-login');
  if (saved) try { state.credentials = JSON.parse(saved); } catch { /* ignore */ }
  updateAccount();
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); if (location.hash !== '#/' && location.hash !== '') location.hash = '#/'; else renderRepositories(); });
  $('search').addEventListener('input', () => { if (state.repos && (location.hash === '#/' || location.hash === '')) renderRepositories(); });
  $('login-button').addEventListener('click', () => askLogin(''));
  $('logout-button').addEventListener('click', () => { state.credentials = null; state.tokens.clear(); sessionStorage.removeItem('berth-registry-login'); updateAccount(); route(); });
  $('login-cancel').addEventListener('click', () => $('login-dialog').close());
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await login($('login-user').value, $('login-password').value);
      $('login-password').value = '';
      $('login-dialog').close();
      await route();
    } catch (err) {
      $('login-error').textContent = err.message;
      $('login-password').select();
    }
  });
  window.addEventListener('hashchange', route);
  await route();
}

start();
