// Generates dist/sw.js with workbox-build after `vite build`: one self-contained file that
// precaches the whole build. Precaching is all-or-nothing per install, so a file that fails to
// download leaves the previous version in charge instead of a half-cached app.
// CLI: node scripts/generate-sw.mjs [--dir dist]
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSW, getManifest } from 'workbox-build';

/** Extensions the app ships; the completeness check below fails the build on anything else. */
const PRECACHED_EXTENSIONS = [
  'html',
  'js',
  'css',
  'png',
  'webmanifest',
  'txt',
  'wasm',
  'json',
  'bin',
  'jpg',
  'webp',
  'svg',
  'ico',
  'zip',
];

// tfjs worker chunks are about 2 MB and the bundled corpus 1.2 MB; Workbox's default (2 MiB)
// would silently leave them out of the precache.
const MAX_FILE_BYTES = 16 * 1024 * 1024;

function listFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/** Writes `<dir>/sw.js` and returns the precached files with their sizes in bytes. */
export async function generateServiceWorker({ dir = 'dist' } = {}) {
  const root = resolve(dir);
  const swDest = join(root, 'sw.js');
  const globOptions = {
    globDirectory: root,
    globPatterns: [`**/*.{${PRECACHED_EXTENSIONS.join(',')}}`],
    globIgnores: ['sw.js', 'workbox-*.js'],
    maximumFileSizeToCacheInBytes: MAX_FILE_BYTES,
    // Vite's hashed names already change with the content: no extra ?__WB_REVISION__ needed.
    dontCacheBustURLsMatching: /^assets\//,
  };
  // Checked before generating, so an incomplete precache never reaches dist/sw.js.
  const { manifestEntries, warnings: globWarnings } = await getManifest(globOptions);
  const precached = new Set(manifestEntries.map((e) => e.url));
  const files = listFiles(root).filter((f) => f !== 'sw.js' && !f.endsWith('.map'));
  const uncovered = files.filter((f) => !precached.has(f));
  if (uncovered.length > 0 || manifestEntries.length !== files.length) {
    throw new Error(
      `Files of the build left out of the precache: ${uncovered.join(', ')}\n${globWarnings.join('\n')}`,
    );
  }
  const { count, size, warnings } = await generateSW({
    ...globOptions,
    swDest,
    mode: 'production',
    inlineWorkboxRuntime: true,
    sourcemap: false,
    cacheId: 'offline-dl-playground',
    cleanupOutdatedCaches: true,
    // The page decides when the new worker takes over (after checkpointing training sessions),
    // by posting {type: 'SKIP_WAITING'}; the generated worker listens for exactly that message.
    skipWaiting: false,
    clientsClaim: true,
    navigateFallback: 'index.html',
    // No runtime caching: the only cross-origin request (the corpus download) goes to the network
    // and is stored in IndexedDB by the app itself.
  });
  // Workbox only warns when it skips a file (too large, unmatched); offline, a skipped file is a bug.
  if (warnings.length > 0 || count !== files.length) {
    throw new Error(`workbox-build warnings (treated as errors):\n${warnings.join('\n')}`);
  }
  const entries = files.map((file) => ({ file, bytes: statSync(join(root, file)).size }));
  return { swDest, count, size, entries };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dirFlag = args.indexOf('--dir');
  const dir = dirFlag >= 0 ? args[dirFlag + 1] : 'dist';
  const { swDest, count, size, entries } = await generateServiceWorker({ dir });
  for (const { file, bytes } of entries.sort((a, b) => b.bytes - a.bytes)) {
    console.log(`  ${String(bytes).padStart(10)}  ${file}`);
  }
  console.log(
    `${relative(process.cwd(), swDest)}: precaches ${count} files, ${size} bytes ` +
      `(${(size / 1024 / 1024).toFixed(2)} MiB)`,
  );
}
