// compose config: the project validated and printed in compose's canonical form (YAML or JSON),
// or one of its lists (--services, --volumes, --profiles, --images, --hash, --variables,
// --environment). --no-interpolate prints the merged model with its variables left as written.
import { writeFileSync } from 'node:fs';
import YAML from 'yaml';
import {
  configHashes,
  configImages,
  configProfiles,
  configServices,
  configVolumes,
  configYaml,
  extractVariables,
  loadModel,
  renderProject,
  type LoadOptions,
} from '../../../compose/index.ts';
import { TabWriter, terminalWidth } from '../../../template/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import { loadError, loadFromFlags, loadOptions } from './project.ts';
import type * as spec from './specs.ts';

/** Keys sorted at every level, as Go's encoders print maps. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export const config: CommandRun<typeof spec.config.flags> = async (ctx, args, flags) => {
  if (flags.format !== 'yaml' && flags.format !== 'json') throw new StatusError(1, `unsupported format ${JSON.stringify(flags.format)}`);
  const extra: Partial<LoadOptions> = {
    ...(flags['no-normalize'] ? { normalize: false } : {}),
    ...(flags['no-path-resolution'] ? { resolvePaths: false } : {}),
    ...(flags['no-consistency'] ? { consistency: false } : {}),
  };
  const out = (text: string) => {
    if (flags.quiet) return;
    if (flags.output) writeFileSync(flags.output, text, { mode: 0o666 });
    else ctx.stdout.write(text);
  };
  const lines = (list: readonly string[]) => out(list.map((l) => `${l}\n`).join(''));

  if (flags.variables) {
    let model;
    try {
      model = loadModel(loadOptions(ctx, flags, { ...extra, interpolate: false })).model;
    } catch (err) {
      throw loadError(err);
    }
    const vars = [...extractVariables(model).values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const tw = new TabWriter({ minWidth: 20, tabWidth: 1, padding: 3, padChar: ' ', cellWidth: terminalWidth });
    tw.write('NAME\tREQUIRED\tDEFAULT VALUE\tALTERNATE VALUE\n');
    for (const v of vars) tw.write(`${v.name}\t${v.required}\t${v.defaultValue}\t${v.alternateValue}\n`);
    out(tw.flush());
    return;
  }
  if (flags['no-interpolate']) {
    let model;
    try {
      model = loadModel(loadOptions(ctx, flags, { ...extra, interpolate: false, ...(args.length > 0 ? { services: args } : {}) })).model;
    } catch (err) {
      throw loadError(err);
    }
    const sorted = sortKeys(model);
    out(flags.format === 'json' ? JSON.stringify(sorted, null, 2) : YAML.stringify(sorted, { indent: 2, lineWidth: 0, minContentWidth: 0 }));
    return;
  }

  const project = loadFromFlags(ctx, flags, { ...extra, ...(args.length > 0 ? { services: args } : {}) }).project;
  if (flags.services) return lines(configServices(project));
  if (flags.volumes) return lines(configVolumes(project));
  if (flags.profiles) return lines(configProfiles(project));
  if (flags.images) return lines(configImages(project));
  if (flags.environment) {
    return lines(
      Object.keys(project.environment)
        .sort()
        .map((k) => `${k}=${project.environment[k]}`),
    );
  }
  if (flags.hash !== undefined) {
    const services = flags.hash === '*' ? [] : flags.hash.split(',');
    for (const s of services) if (!project.services[s]) throw new StatusError(1, `no such service: ${s}`);
    return lines(configHashes(project, services));
  }
  if (flags.format === 'json') {
    out(`${JSON.stringify(renderProject(project, { discardEnvFiles: true }), null, 2).replace(/\$/g, '$$$$')}\n`);
    return;
  }
  out(configYaml(project));
};
