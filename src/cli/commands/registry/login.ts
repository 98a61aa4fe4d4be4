// login and logout: credentials checked by the daemon (POST /auth) and kept in the config file.
import { createInterface } from 'node:readline';
import type { CliContext, CommandRun } from '../../command.ts';
import { StatusError, daemonCall } from '../../errors.ts';
import { configPath, readConfig, serverKey, writeConfig } from './credentials.ts';
import type { login as loginSpec, logout as logoutSpec } from './specs.ts';

async function readLine(ctx: CliContext, prompt: string): Promise<string> {
  ctx.stdout.write(prompt);
  const rl = createInterface({ input: ctx.stdin });
  try {
    for await (const line of rl) return line.trim();
    return '';
  } finally {
    rl.close();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

export const login: CommandRun<typeof loginSpec.flags> = async (ctx, args, flags) => {
  const server = args[0];
  let username = flags.username;
  let password = flags.password;
  if (flags['password-stdin']) {
    if (password !== undefined) throw new StatusError(1, '--password and --password-stdin are mutually exclusive');
    if (!username) throw new StatusError(1, 'Must provide --username with --password-stdin');
    password = (await readAll(ctx.stdin)).replace(/\r?\n$/, '');
  } else if (password !== undefined) {
    ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  }
  if (!username) {
    username = await readLine(ctx, 'Username: ');
    if (!username) throw new StatusError(1, 'Error: Non-null Username Required');
  }
  if (password === undefined) {
    password = await readLine(ctx, 'Password: ');
    ctx.stdout.write('\n');
  }
  if (!password) throw new StatusError(1, 'Error: Password Required');
  const key = serverKey(server);
  const result = await daemonCall(ctx.client().registry.login({ username, password, serveraddress: key }));
  const config = readConfig(ctx);
  config.auths ??= {};
  config.auths[key] = result.IdentityToken ? { auth: '', identitytoken: result.IdentityToken } : { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  await writeConfig(ctx, config);
  ctx.stderr.write(
    `WARNING! Your credentials are stored unencrypted in '${configPath(ctx)}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`,
  );
  ctx.stdout.write(`${result.Status || 'Login Succeeded'}\n`);
};

export const logout: CommandRun<typeof logoutSpec.flags> = async (ctx, args) => {
  const key = serverKey(args[0]);
  const config = readConfig(ctx);
  const names = [key, `https://${key}`, `http://${key}`].filter((k) => config.auths?.[k]);
  if (names.length === 0) {
    ctx.stdout.write(`Not logged in to ${key}\n`);
    return;
  }
  ctx.stdout.write(`Removing login credentials for ${key}\n`);
  for (const n of names) delete config.auths![n];
  await writeConfig(ctx, config);
};
