// Loading a project the way `docker compose` does: which files (-f, COMPOSE_FILE, or
// compose.yaml & co. found from the current directory upwards, plus the override file), which
// variables (the shell's, then .env / --env-file, the shell winning), which name (-p,
// COMPOSE_PROJECT_NAME, `name:`, the directory), then per file: parse, interpolate, include,
// extends, merge, validate, canonical form; then defaults, paths, normalization, the typed
// model, profiles, consistency, env_file.
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { InvalidArgument, NotFound } from '../errors/index.ts';
import { canonical, omitEmpty, setDefaultValues } from './canonical.ts';
import { checkConsistency, checkModel } from './checks.ts';
import { composeSchema } from './compose-schema.ts';
import { parseDotEnv, parseEnvFileText } from './dotenv.ts';
import { interpolateDocument, lookupIn, substitute } from './interpolate.ts';
import { nodeFs, type ComposeFs } from './io.ts';
import { applyResets, enforceUnicity, mergeYaml } from './merge.ts';
import type { ComposeProject, ServiceConfig } from './model.ts';
import { normalizeModel } from './normalize.ts';
import { resolveRelativePaths } from './paths.ts';
import { validateSchema } from './schema.ts';
import { toProject } from './to-model.ts';
import { deepClone, formatPath, isMapping, sortedKeys, type Mapping, type TreePath } from './tree.ts';
import { parseComposeYaml, type ComposeYamlDocument } from './yaml-source.ts';

export const defaultFileNames = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
export const defaultOverrideFileNames = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

export interface LoadOptions {
  /** The current directory. */
  cwd: string;
  /** The shell environment (process.env). */
  environment: Readonly<Record<string, string | undefined>>;
  /** -f, repeated; '-' reads standard input. */
  files?: readonly string[];
  /** -p */
  projectName?: string;
  /** --project-directory */
  projectDirectory?: string;
  /** --env-file, repeated. */
  envFiles?: readonly string[];
  /** --profile, repeated (else COMPOSE_PROFILES). */
  profiles?: readonly string[];
  /** Services named on the command line: enabled even when their profile is not, with their dependencies. */
  services?: readonly string[];
  /** Standard input, for `-f -`. */
  stdin?: () => string;
  /** `config --no-interpolate` turns these off. */
  interpolate?: boolean;
  resolvePaths?: boolean;
  normalize?: boolean;
  consistency?: boolean;
  /** Read env_file into environment (on by default). */
  resolveEnvironment?: boolean;
}

export interface LoadedProject {
  project: ComposeProject;
  /** The merged, normalized model as plain data. */
  model: Mapping;
  /** Messages compose prints as warnings (obsolete `version`, unset variables…). */
  warnings: string[];
}

interface ConfigFile {
  filename: string;
  content: string;
}

export function normalizeProjectName(s: string): string {
  return (s.toLowerCase().match(/[a-z0-9_-]/g) ?? []).join('').replace(/^[_-]+/, '');
}

export function invalidProjectName(name: string): InvalidArgument {
  return new InvalidArgument(
    `invalid project name ${JSON.stringify(name)}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
  );
}

/** Loads, merges, validates and normalizes a compose project. */
export function loadProject(options: LoadOptions, fs: ComposeFs = nodeFs): LoadedProject {
  return new ProjectLoader(options, fs).load();
}

/** The merged, validated model as plain data, without the typed model (what `config --no-interpolate` prints). */
export function loadModel(options: LoadOptions, fs: ComposeFs = nodeFs): { model: Mapping; warnings: string[] } {
  return new ProjectLoader(options, fs).loadModel();
}

interface FileContext {
  workingDir: string;
  environment: Record<string, string>;
  skipInclude: boolean;
  skipExtends: boolean;
  skipValidation: boolean;
  included: string[];
}

type CycleChain = ReadonlyArray<{ filename: string; service: string }>;

class ProjectLoader {
  readonly #options: LoadOptions;
  readonly #fs: ComposeFs;
  readonly #warnings: string[] = [];
  readonly #versionWarned = new Set<string>();
  readonly #parsed = new Map<string, ComposeYamlDocument[]>();

  constructor(options: LoadOptions, fs: ComposeFs) {
    this.#options = options;
    this.#fs = fs;
  }

  #warn(message: string): void {
    if (!this.#warnings.includes(message)) this.#warnings.push(message);
  }

  /** Files, variables and name found, the files parsed, merged and validated into one model. */
  #loadModel(): { model: Mapping; name: string; workingDir: string; env: Record<string, string>; files: ConfigFile[]; profiles: string[] } {
    const o = this.#options;
    const cwd = o.cwd;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.environment)) if (v !== undefined) env[k] = v;
    if (env.PWD === undefined) env.PWD = cwd;
    const projectDirectory = o.projectDirectory ? resolve(cwd, o.projectDirectory) : undefined;
    let configPaths = (o.files ?? []).map((f) => (f === '-' ? f : resolve(cwd, f)));
    const workingDirOf = () => projectDirectory ?? configPaths.filter((f) => f !== '-').map((f) => dirname(f))[0] ?? cwd;

    // compose reads the .env files before and after locating the compose files, keeping the
    // first value of each variable: the shell's, then --env-file's or the .env's.
    this.#loadDotEnv(env, workingDirOf());
    if (configPaths.length === 0 && env.COMPOSE_FILE !== undefined) {
      const sep = env.COMPOSE_PATH_SEPARATOR || ':';
      configPaths = env.COMPOSE_FILE.split(sep).map((f) => {
        if (f === '-') return f;
        const abs = resolve(cwd, f);
        if (!this.#fs.stat(abs)) throw new InvalidArgument(`stat ${abs}: no such file or directory`);
        return abs;
      });
    }
    if (configPaths.length === 0) configPaths = this.#findDefaultFiles(projectDirectory ?? cwd);
    if (configPaths.length === 0) {
      throw new NotFound('no configuration file provided: not found');
    }
    this.#loadDotEnv(env, workingDirOf());

    const profiles = o.profiles && o.profiles.length > 0 ? [...o.profiles] : (env.COMPOSE_PROFILES ?? '').split(',').map((s) => s.trim());
    const workingDir = workingDirOf();
    const files = configPaths.map((f): ConfigFile => ({ filename: f, content: this.#read(f) }));
    const name = this.#projectName(files, env, workingDir);
    env.COMPOSE_PROJECT_NAME = name;

    const context: FileContext = { workingDir, environment: env, skipInclude: false, skipExtends: false, skipValidation: false, included: [] };
    let model = this.#loadYamlModel(files, context, true);
    if (Object.keys(model).length === 0) throw new InvalidArgument('empty compose file');
    if (o.normalize !== false) model = normalizeModel(model, { projectName: name, lookup: lookupIn(env) });
    else model.name = name;
    return { model, name, workingDir, env, files, profiles };
  }

  /** The merged model only (`config --no-interpolate`: values may still hold variables). */
  loadModel(): { model: Mapping; warnings: string[] } {
    return { model: this.#loadModel().model, warnings: this.#warnings };
  }

  load(): LoadedProject {
    const o = this.#options;
    const cwd = o.cwd;
    const { model, name, workingDir, env, files, profiles } = this.#loadModel();
    let project = toProject(deepClone(model), {
      name,
      workingDir,
      composeFiles: files.map((f) => f.filename),
      environment: env,
      envFiles: [...(o.envFiles ?? [])].map((f) => resolve(cwd, f)),
    });
    project = withProfiles(project, profiles);
    if (o.consistency !== false) checkConsistency(project);
    if (o.resolveEnvironment !== false) this.#resolveServiceEnvironments(project);
    if (o.services && o.services.length > 0) project = selectServices(project, o.services, { dependencies: true });
    return { project, model, warnings: this.#warnings };
  }

  #read(filename: string): string {
    if (filename === '-') {
      if (!this.#options.stdin) throw new InvalidArgument('reading compose file from stdin is not available');
      return this.#options.stdin();
    }
    try {
      return this.#fs.readFile(filename);
    } catch (err) {
      throw new InvalidArgument((err as Error).message);
    }
  }

  #docs(file: ConfigFile): ComposeYamlDocument[] {
    let docs = this.#parsed.get(file.filename);
    if (!docs) {
      docs = parseComposeYaml(file.content, file.filename);
      this.#parsed.set(file.filename, docs);
    }
    // Loading changes the values: each use gets its own copy.
    return docs.map((d) => ({ ...d, value: deepClone(d.value) }));
  }

  #loadDotEnv(env: Record<string, string>, workingDir: string): void {
    const o = this.#options;
    let files = (o.envFiles ?? []).map((f) => resolve(o.cwd, f));
    if (files.length === 0) {
      const disabled = o.environment.COMPOSE_DISABLE_ENV_FILE;
      if (disabled !== undefined && parseGoBool(disabled, 'COMPOSE_DISABLE_ENV_FILE')) return;
      const dotEnv = join(workingDir, '.env');
      const kind = this.#fs.stat(dotEnv);
      if (kind === undefined || kind === 'directory') return;
      files = [dotEnv];
    }
    const fromFiles = this.#readEnvFiles(files, env);
    for (const [k, v] of Object.entries(fromFiles)) if (!(k in env)) env[k] = v;
  }

  /** compose's dotenv.GetEnvFromFile: each file may use the variables of `current` and of the files before. */
  #readEnvFiles(files: readonly string[], current: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const file of files) {
      const kind = this.#fs.stat(file);
      if (kind === undefined) throw new InvalidArgument(`couldn't find env file: ${file}`);
      if (kind === 'directory') throw new InvalidArgument(`${file} is a directory`);
      const text = this.#read(file);
      const lookup = (k: string) => (k in current ? current[k] : k in out ? out[k] : undefined);
      try {
        parseDotEnv(text, out, lookup);
      } catch (err) {
        throw new InvalidArgument(`failed to read ${file}: ${(err as Error).message}`);
      }
    }
    return out;
  }

  #findDefaultFiles(start: string): string[] {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidates = defaultFileNames.map((n) => join(dir, n)).filter((f) => this.#fs.stat(f) !== undefined);
      if (candidates.length > 0) {
        if (candidates.length > 1) {
          this.#warn(`Found multiple config files with supported names: ${candidates.join(', ')}`);
          this.#warn(`Using ${candidates[0]}`);
        }
        const overrides = defaultOverrideFileNames.map((n) => join(dir, n)).filter((f) => this.#fs.stat(f) !== undefined);
        if (overrides.length > 1) {
          this.#warn(`Found multiple override files with supported names: ${overrides.join(', ')}`);
          this.#warn(`Using ${overrides[0]}`);
        }
        return overrides.length > 0 ? [candidates[0], overrides[0]] : [candidates[0]];
      }
      if (dirname(dir) === dir) return [];
    }
  }

  #projectName(files: readonly ConfigFile[], env: Readonly<Record<string, string>>, workingDir: string): string {
    const imperative = this.#options.projectName || env.COMPOSE_PROJECT_NAME;
    if (imperative) {
      if (normalizeProjectName(imperative) !== imperative) throw invalidProjectName(imperative);
      return imperative;
    }
    let fromFiles = '';
    for (const f of files) {
      for (const doc of this.#docs(f)) {
        const n = doc.value.name;
        if (typeof n === 'string' && n !== '') fromFiles = n;
      }
    }
    if (this.#options.interpolate !== false && fromFiles !== '') {
      try {
        fromFiles = substitute(fromFiles, lookupIn(env));
      } catch (err) {
        throw new InvalidArgument(`error while interpolating name: ${(err as Error).message}`);
      }
    }
    let name = normalizeProjectName(fromFiles);
    if (name === '') name = normalizeProjectName(basename(workingDir));
    if (name === '') throw new InvalidArgument('project name must not be empty');
    return name;
  }

  #loadYamlModel(files: readonly ConfigFile[], ctx: FileContext, resolvePaths: boolean): Mapping {
    let dict: Mapping = {};
    for (const file of files) dict = this.#loadYamlFile(file, dict, ctx, []).dict;
    dict = setDefaultValues(dict);
    if (!ctx.skipValidation) checkModel(dict);
    if (resolvePaths && this.#options.resolvePaths !== false) {
      resolveRelativePaths(dict, { workingDir: ctx.workingDir, home: this.#fs.homeDir() });
    }
    resolveEnvironmentSources(dict, ctx.environment);
    return dict;
  }

  #loadYamlFile(file: ConfigFile, dict: Mapping, ctx: FileContext, chain: CycleChain): { dict: Mapping; resets: TreePath[] } {
    let resets: TreePath[] = [];
    for (const doc of this.#docs(file)) {
      let cfg = doc.value;
      resets = [...doc.resets, ...doc.overrides];
      if (this.#options.interpolate !== false) {
        try {
          cfg = interpolateDocument(cfg, { lookup: lookupIn(ctx.environment), warn: (m) => this.#warn(m) });
        } catch (err) {
          throw new InvalidArgument((err as Error).message);
        }
      }
      if (!ctx.skipInclude) this.#applyInclude(cfg, ctx, file.filename, resets);
      applyResets(dict, resets);
      if (!ctx.skipExtends) this.#applyExtends(cfg, { filename: file.filename, ctx, resets, chain });
      dict = mergeYaml(dict, cfg) as Mapping;
      dict = enforceUnicity(dict) as Mapping;
      if (!ctx.skipValidation) {
        const err = validateSchema(composeSchema, dict);
        if (err) throw new InvalidArgument(`validating ${file.filename}: ${err.path.length === 0 ? '(root)' : formatPath(err.path)} ${err.message}`);
        if ('version' in dict) {
          if (!this.#versionWarned.has(file.filename)) {
            this.#versionWarned.add(file.filename);
            this.#warn(`${file.filename}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
          }
          delete dict.version;
        }
      }
      dict = canonical(dict, (m) => this.#warn(m), { ignoreParseError: this.#options.interpolate === false });
      dict = omitEmpty(dict);
      dict = enforceUnicity(dict) as Mapping;
    }
    return { dict, resets };
  }

  // ---------------------------------------------------------------------------------------------
  // extends

  #applyExtends(cfg: Mapping, at: { filename: string; ctx: FileContext; resets: TreePath[]; chain: CycleChain }): void {
    const services = cfg.services;
    if (services === undefined) return;
    if (!isMapping(services)) throw new InvalidArgument('services must be a mapping');
    for (const name of Object.keys(services)) this.#extendService(name, services, at);
  }

  #extendService(name: string, services: Mapping, at: { filename: string; ctx: FileContext; resets: TreePath[]; chain: CycleChain }): unknown {
    const s = services[name];
    if (s === null || s === undefined) return null;
    if (!isMapping(s)) throw new InvalidArgument(`services.${name} must be a mapping`);
    const ext = s.extends;
    if (ext === undefined) return s;
    let ref: string;
    let file: string | undefined;
    if (typeof ext === 'string') ref = ext;
    else if (isMapping(ext) && typeof ext.service === 'string') {
      ref = ext.service;
      if (typeof ext.file === 'string') file = ext.file;
    } else throw new InvalidArgument(`extends.${name}.service is required`);

    let baseServices = services;
    let filename = at.filename;
    let resets = at.resets;
    if (file !== undefined) {
      const refPath = isAbsolute(file) ? file : join(at.ctx.workingDir, file);
      const loaded = this.#loadExtendsBase(name, ref, at.filename, file, refPath, at.ctx);
      baseServices = loaded.services;
      resets = loaded.resets;
      filename = refPath;
    } else if (!(ref in services)) {
      throw new InvalidArgument(`cannot extend service ${JSON.stringify(name)} in ${at.filename}: service ${JSON.stringify(ref)} not found`);
    }
    // A service is known by the file that defines it: `web` extending `web` from another file is no cycle.
    const chain = [...at.chain];
    if (chain.some((c) => c.filename === at.filename && c.service === name)) {
      const lines = ['Circular reference:', `  ${chain[0].service} in ${chain[0].filename}`];
      for (const c of [...chain.slice(1), { filename: at.filename, service: name }]) lines.push(`  extends ${c.service} in ${c.filename}`);
      throw new InvalidArgument(lines.join('\n'));
    }
    chain.push({ filename: at.filename, service: name });
    const baseCtx = file !== undefined ? { ...at.ctx, workingDir: dirname(filename) } : at.ctx;
    const base = this.#extendService(ref, baseServices, { filename, ctx: baseCtx, resets, chain });
    if (base === null || base === undefined) return s;
    const source = deepClone(base) as Mapping;
    // `!reset` in the extending service removes what the base defines.
    const wrapped = { services: { [name]: source } };
    applyResets(wrapped, at.resets);
    const merged = mergeYaml(wrapped.services[name], s, ['services', 'x']) as Mapping;
    delete merged.extends;
    services[name] = merged;
    return merged;
  }

  #loadExtendsBase(name: string, ref: string, fromFile: string, file: string, refPath: string, ctx: FileContext): { services: Mapping; resets: TreePath[] } {
    const content = this.#read(refPath);
    const baseCtx: FileContext = { ...ctx, workingDir: dirname(refPath), skipInclude: true, skipExtends: true, skipValidation: true };
    const { dict, resets } = this.#loadYamlFile({ filename: refPath, content }, {}, baseCtx, []);
    const services = dict.services;
    if (services === undefined) throw new InvalidArgument(`cannot extend service ${JSON.stringify(name)} in ${refPath}: no services section`);
    if (!isMapping(services)) throw new InvalidArgument(`cannot extend service ${JSON.stringify(name)} in ${refPath}: services must be a mapping`);
    if (!(ref in services)) {
      throw new InvalidArgument(`cannot extend service ${JSON.stringify(name)} in ${fromFile}: service ${JSON.stringify(ref)} not found in ${file}`);
    }
    // Paths in the extended file are relative to that file.
    if (this.#options.resolvePaths !== false) resolveRelativePaths(dict, { workingDir: dirname(refPath), home: this.#fs.homeDir() });
    return { services, resets };
  }

  // ---------------------------------------------------------------------------------------------
  // include

  #applyInclude(model: Mapping, ctx: FileContext, filename: string, resets: TreePath[]): void {
    const raw = model.include;
    if (raw === undefined || raw === null) return;
    if (!Array.isArray(raw)) throw new InvalidArgument(`\`include\` must be a list, got ${String(raw)}`);
    for (const entry of raw) {
      const item = typeof entry === 'string' ? { path: entry } : isMapping(entry) ? entry : {};
      const paths = (typeof item.path === 'string' ? [item.path] : Array.isArray(item.path) ? item.path.map(String) : []).map((p) =>
        isAbsolute(p) ? p : join(ctx.workingDir, p),
      );
      if (paths.length === 0) throw new InvalidArgument('include: path is required');
      let projectDir: string;
      const declared = typeof item.project_directory === 'string' ? item.project_directory : '';
      if (declared === '') projectDir = dirname(paths[0]);
      else projectDir = isAbsolute(declared) ? declared : join(ctx.workingDir, declared);
      const chain = ctx.included.length > 0 ? ctx.included : [filename];
      if (chain.includes(paths[0]) || paths[0] === filename) {
        const all = [...chain, paths[0]];
        throw new InvalidArgument(`include cycle detected:\n${all[0]}\n include ${all.slice(1).join('\n include ')}`);
      }
      let envFiles: string[];
      const declaredEnv = typeof item.env_file === 'string' ? [item.env_file] : Array.isArray(item.env_file) ? item.env_file.map(String) : [];
      if (declaredEnv.length === 0) {
        const dotEnv = join(projectDir, '.env');
        envFiles = this.#fs.stat(dotEnv) === 'file' ? [dotEnv] : [];
      } else {
        envFiles = [];
        for (const f of declaredEnv) {
          if (f === '/dev/null') continue;
          const abs = isAbsolute(f) ? f : join(ctx.workingDir, f);
          const kind = this.#fs.stat(abs);
          if (kind === undefined) throw new InvalidArgument(`stat ${abs}: no such file or directory`);
          if (kind === 'directory') throw new InvalidArgument(`${abs} is not a file`);
          envFiles.push(abs);
        }
      }
      const environment = { ...ctx.environment };
      for (const [k, v] of Object.entries(this.#readEnvFiles(envFiles, ctx.environment))) if (!(k in environment)) environment[k] = v;
      const includedCtx: FileContext = {
        workingDir: projectDir,
        environment,
        skipInclude: false,
        skipExtends: false,
        skipValidation: ctx.skipValidation,
        included: [...chain, paths[0]],
      };
      const imported = this.#loadYamlModel(
        paths.map((p) => ({ filename: p, content: this.#read(p) })),
        includedCtx,
        true,
      );
      importResources(imported, model, resets);
    }
    delete model.include;
  }

  // ---------------------------------------------------------------------------------------------
  // env_file and label_file

  #resolveServiceEnvironments(project: ComposeProject): void {
    const projectEnv = lookupIn(project.environment);
    for (const service of Object.values(project.services)) {
      const declared = { ...(service.environment ?? {}) };
      for (const [k, v] of Object.entries(declared)) {
        if (v === null) {
          const found = projectEnv(k);
          if (found !== undefined) declared[k] = found;
        }
      }
      const fromFiles: Record<string, string> = {};
      for (const [k, v] of Object.entries(declared)) if (v !== null) fromFiles[k] = v;
      for (const envFile of service.env_file ?? []) {
        const kind = this.#fs.stat(envFile.path);
        if (kind === undefined) {
          if (envFile.required) throw new InvalidArgument(`env file ${envFile.path} not found: stat ${envFile.path}: no such file or directory`);
          continue;
        }
        parseEnvFileText(this.#read(envFile.path), {
          filename: envFile.path,
          format: envFile.format,
          into: fromFiles,
          // The project's variables first, then the service's own environment.
          lookup: (k) => projectEnv(k) ?? (declared[k] ?? undefined),
        });
      }
      const environment: Record<string, string | null> = { ...fromFiles };
      for (const [k, v] of Object.entries(declared)) environment[k] = v;
      if (service.environment !== undefined || Object.keys(environment).length > 0) service.environment = environment;
      this.#resolveLabelFiles(service);
    }
  }

  #resolveLabelFiles(service: ServiceConfig): void {
    if (!service.label_file || service.label_file.length === 0) return;
    const labels: Record<string, string> = {};
    for (const file of service.label_file) {
      if (this.#fs.stat(file) === undefined) throw new InvalidArgument(`label file ${file} not found: stat ${file}: no such file or directory`);
      const vars: Record<string, string> = {};
      parseEnvFileText(this.#read(file), { filename: file, into: vars, lookup: (k) => labels[k] });
      Object.assign(labels, vars);
    }
    service.labels = { ...labels, ...(service.labels ?? {}) };
  }
}

function parseGoBool(v: string, name: string): boolean {
  const s = v.trim();
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new InvalidArgument(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax (${name})`);
}

/** An included project's resources join the including model; the includer's definitions win. */
function importResources(source: Mapping, target: Mapping, resets: TreePath[]): void {
  for (const key of ['services', 'volumes', 'networks', 'secrets', 'configs', 'models']) {
    const from = source[key];
    if (!isMapping(from)) continue;
    const to: Mapping = isMapping(target[key]) ? target[key] : {};
    for (const [name, value] of Object.entries(from)) {
      if (!(name in to)) {
        to[name] = value;
        continue;
      }
      const wrapped = { [key]: { [name]: value } };
      applyResets(wrapped, resets);
      to[name] = mergeYaml(wrapped[key][name], to[name], [key, name]);
    }
    target[key] = to;
  }
}

/** compose-go's ResolveEnvironment: bare `KEY` list entries, and secrets/configs from variables. */
function resolveEnvironmentSources(dict: Mapping, env: Readonly<Record<string, string>>): void {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(env, k);
  if (isMapping(dict.services)) {
    for (const s of Object.values(dict.services)) {
      if (!isMapping(s) || !Array.isArray(s.environment)) continue;
      s.environment = s.environment.map((e) => (typeof e === 'string' && has(e) ? `${e}=${env[e]}` : e));
    }
  }
  for (const kind of ['secrets', 'configs']) {
    const section = dict[kind];
    if (!isMapping(section)) continue;
    for (const r of Object.values(section)) {
      if (isMapping(r) && typeof r.environment === 'string' && has(r.environment)) r.content = env[r.environment];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Profiles and selection

function hasProfile(service: ServiceConfig, profiles: readonly string[]): boolean {
  if (!service.profiles || service.profiles.length === 0) return true;
  return profiles.some((p) => p === '*' || service.profiles?.includes(p));
}

/** Services without profiles, or with an active one, are enabled; the others are disabled. */
export function withProfiles(project: ComposeProject, profiles: readonly string[]): ComposeProject {
  const all = { ...project.services, ...project.disabledServices };
  const services: Record<string, ServiceConfig> = {};
  const disabledServices: Record<string, ServiceConfig> = {};
  for (const name of sortedKeys(all)) {
    if (hasProfile(all[name], profiles)) services[name] = all[name];
    else disabledServices[name] = all[name];
  }
  return { ...project, services, disabledServices, profiles: [...profiles] };
}

/**
 * What `up web` does to the project: services named explicitly are enabled (with their profiles),
 * and only they and (unless `dependencies` is false) what they depend on stay enabled.
 * Names may be glob patterns, as in compose. An unknown name is "no such service: x".
 */
export function selectServices(project: ComposeProject, names: readonly string[], options: { dependencies: boolean }): ComposeProject {
  if (names.length === 0) return project;
  const profiles = [...project.profiles];
  for (const n of names) {
    const disabled = project.disabledServices[n];
    if (disabled && !project.services[n]) profiles.push(...(disabled.profiles ?? []));
  }
  const enabled = withProfiles(project, profiles);
  const selected = new Set<string>();
  const visit = (pattern: string, required: boolean): void => {
    const matches = sortedKeys(enabled.services).filter((s) => globMatch(pattern, s));
    if (matches.length === 0) {
      if (required) throw new NotFound(`no such service: ${pattern}`);
      return;
    }
    for (const m of matches) {
      if (selected.has(m)) continue;
      selected.add(m);
      if (!options.dependencies) continue;
      for (const [dep, cfg] of Object.entries(enabled.services[m].depends_on ?? {})) visit(dep, cfg.required);
    }
  };
  for (const n of names) visit(n, true);
  const services: Record<string, ServiceConfig> = {};
  const disabledServices = { ...enabled.disabledServices };
  for (const name of sortedKeys(enabled.services)) {
    const s = enabled.services[name];
    if (!selected.has(name)) {
      disabledServices[name] = s;
      continue;
    }
    const dependsOn = Object.fromEntries(Object.entries(s.depends_on ?? {}).filter(([d]) => selected.has(d)));
    services[name] = { ...s, depends_on: Object.keys(dependsOn).length > 0 ? dependsOn : undefined };
    if (services[name].depends_on === undefined) delete services[name].depends_on;
  }
  return { ...enabled, services, disabledServices };
}

/** Go's filepath.Match, which compose uses for service names on the command line. */
export function globMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) return pattern === name;
      let cls = pattern.slice(i + 1, close);
      if (cls.startsWith('^')) cls = `!${cls.slice(1)}`;
      re += `[${cls.startsWith('!') ? `^${cls.slice(1)}` : cls}]`;
      i = close;
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(name);
}
