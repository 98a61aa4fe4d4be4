// What a log driver knows of its container (dockerd's logger.Info), the `tag` template rendered
// against it, and the extra attributes log-opt labels/env (and their -regex forms) select.
import { InvalidArgument } from '../errors/index.ts';
import { asStruct, parseTemplate } from '../template/index.ts';

export interface ContainerLogInfo {
  id: string;
  /** With its leading slash, as dockerd keeps it ("/web"). */
  name: string;
  /** "sha256:…" */
  imageId: string;
  /** What the container was created from, as given ("busybox"). */
  imageName: string;
  entrypoint: string;
  args: string[];
  /** RFC 3339 creation time. */
  created: string;
  labels: Record<string, string>;
  env: string[];
  /** The container's directory: log files live there. */
  dir: string;
  /** The record's LogPath (json-file's file; the k8s file of containers made before the drivers). */
  logPath: string;
  /** HostConfig.LogConfig. */
  type: string;
  config: Record<string, string>;
}

export interface HostIdentity {
  hostname: string;
  pid: number;
}

/** Go's time.Time.String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC". */
function goTimeString(rfc3339: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?/.exec(rfc3339);
  if (!m) return rfc3339;
  const frac = (m[3] ?? '').replace(/0+$/, '').replace(/^\.$/, '');
  return `${m[1]} ${m[2]}${frac} +0000 UTC`;
}

/**
 * The `tag` log-opt: a Go template over dockerd's logger.Info (fields and methods alike).
 * An empty template gives `defaultTemplate` ("" for json-file: no tag unless asked).
 */
export function renderTag(info: ContainerLogInfo, host: HostIdentity, defaultTemplate: string): string {
  const text = info.config.tag || defaultTemplate;
  if (!text) return '';
  const data = asStruct(
    {
      Config: info.config,
      ContainerID: info.id,
      ContainerName: info.name,
      ContainerEntrypoint: info.entrypoint,
      ContainerArgs: info.args,
      ContainerImageID: info.imageId,
      ContainerImageName: info.imageName,
      ContainerCreated: goTimeString(info.created),
      ContainerEnv: info.env,
      ContainerLabels: info.labels,
      LogPath: info.logPath,
      DaemonName: 'docker',
      ID: info.id.slice(0, 12),
      FullID: info.id,
      Name: info.name.replace(/^\//, ''),
      ImageID: info.imageId.slice(0, 12),
      ImageFullID: info.imageId,
      ImageName: info.imageName,
      Hostname: host.hostname,
      Command: [info.entrypoint, ...info.args].filter((s, i) => i > 0 || s).join(' '),
    },
    '*logger.Info',
  );
  try {
    return parseTemplate(text, { name: 'log-tag' }).execute(data);
  } catch (err) {
    throw new InvalidArgument((err as Error).message, { cause: err });
  }
}

function compileRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new InvalidArgument(`error parsing regexp: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`, { cause: err });
  }
}

/** dockerd's Info.ExtraAttributes: the labels and env variables log-opt names or matches. */
export function extraAttributes(info: ContainerLogInfo): Record<string, string> {
  const out: Record<string, string> = {};
  const cfg = info.config;
  if (cfg.labels) {
    for (const name of cfg.labels.split(',')) if (name in info.labels) out[name] = info.labels[name];
  }
  if (cfg['labels-regex']) {
    const re = compileRegex(cfg['labels-regex']);
    for (const [k, v] of Object.entries(info.labels)) if (re.test(k)) out[k] = v;
  }
  const env = new Map<string, string>();
  for (const e of info.env) {
    const eq = e.indexOf('=');
    if (eq > 0) env.set(e.slice(0, eq), e.slice(eq + 1));
  }
  if (cfg.env) {
    for (const name of cfg.env.split(',')) if (env.has(name)) out[name] = env.get(name)!;
  }
  if (cfg['env-regex']) {
    const re = compileRegex(cfg['env-regex']);
    for (const [k, v] of env) if (re.test(k)) out[k] = v;
  }
  return out;
}
