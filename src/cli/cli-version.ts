// The CLI's own version: `berth version`, `berth --version`, `info` and the client's User-Agent.
export const cliVersion = '0.1.0';
