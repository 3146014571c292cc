// Serving a build and launching Debian's chromium with WebGPU on SwiftShader; no vitest here, so
// `npm run bench` can use it too.
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium: tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that give headless Chromium real WebGPU on SwiftShader and keep it off the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A served build: its base URL and a way to stop it. */
export interface Served {
  url: string;
  stop(): void;
}

/** Serves `dir` (default: $E2E_DIST or dist) with the project's own static server on a free port. */
export function serve(dir = process.env.E2E_DIST ?? 'dist'): Promise<Served> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['scripts/serve.mjs', '--port', '0', '--dir', dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Serving .* at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], stop: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
}

/** Launches headless Debian chromium with WebGPU on SwiftShader. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
