// The web UI's files. The bundle (tools/build.mjs) inlines them as strings through the
// __BERTH_REGISTRY_UI__ define, so the package needs no asset directory; run from source, they
// are read from ./ui/ beside this file.
import { readFileSync } from 'node:fs';

declare const __BERTH_REGISTRY_UI__: Record<string, string> | undefined;

export const uiFiles = ['index.html', 'app.js', 'style.css', 'favicon.svg'];

const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

export interface UiAssets {
  get(name: string): { type: string; body: string } | undefined;
}

export function loadUiAssets(): UiAssets {
  const inlined = typeof __BERTH_REGISTRY_UI__ !== 'undefined' ? __BERTH_REGISTRY_UI__ : undefined;
  const files = new Map<string, string>();
  for (const f of uiFiles) files.set(f, inlined ? inlined[f] : readFileSync(new URL(`./ui/${f}`, import.meta.url), 'utf8'));
  return {
    get(name) {
      const body = files.get(name);
      return body === undefined ? undefined : { type: types[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream', body };
    },
  };
}
