// A dependency-free static server for the production build, with the app's CSP on every response.
// CLI: node scripts/serve.mjs [--port 4173] [--dir dist] [--host 127.0.0.1]   (port 0 = any free port)
// Prints exactly one line, `Serving <dir> at http://HOST:PORT/`, once it listens; e2e tests parse it.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSP } from './csp.mjs';

/** MIME types by extension; anything else is served as application/octet-stream. */
export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.bin': 'application/octet-stream',
};

// The service worker and the HTML must be revalidated on every load, or updates never show up;
// Vite's hashed assets never change under the same name.
function cacheControl(relPath) {
  if (relPath.startsWith('assets/')) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

async function fileAt(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const full = normalize(join(root, decoded));
  // Refuse anything that escapes the served folder (../, encoded or not).
  if (full !== root && !full.startsWith(root + sep)) return null;
  try {
    const info = await stat(full);
    if (info.isFile()) return { full, size: info.size };
    if (info.isDirectory()) {
      const index = join(full, 'index.html');
      const indexInfo = await stat(index);
      if (indexInfo.isFile()) return { full: index, size: indexInfo.size };
    }
  } catch {
    // Missing file: the caller decides between the SPA fallback and 404.
  }
  return null;
}

/**
 * Starts the static server over `dir`; resolves once it listens.
 * `setDir` swaps the served folder in place (same origin), which update-flow tests need.
 */
export function startServer({ dir = 'dist', port = 4173, host = '127.0.0.1' } = {}) {
  let root = resolve(dir);
  const server = createServer(async (req, res) => {
    const baseHeaders = {
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...baseHeaders, Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname;
    let found = await fileAt(root, urlPath);
    // SPA fallback only for navigations: a missing script or asset must 404, so that a broken
    // precache entry fails the service worker install instead of caching index.html in its place.
    const wantsHtml = !extname(urlPath) || (req.headers.accept ?? '').includes('text/html');
    if (!found && wantsHtml) found = await fileAt(root, '/index.html');
    if (!found) {
      res.writeHead(404, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
      return;
    }
    const relPath = relative(root, found.full).split(sep).join('/');
    res.writeHead(200, {
      ...baseHeaders,
      'Content-Type': MIME_TYPES[extname(found.full).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(found.size),
      'Cache-Control': cacheControl(relPath),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(found.full)
      .on('error', () => res.destroy())
      .pipe(res);
  });

  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolvePromise({
        url: `http://${urlHost}:${actualPort}/`,
        port: actualPort,
        setDir(next) {
          root = resolve(next);
        },
        close() {
          return new Promise((done) => {
            server.close(() => done());
            // Keep-alive connections from a browser would otherwise hold close() open.
            server.closeAllConnections();
          });
        },
      });
    });
  });
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`Missing value for ${flag}`);
    if (flag === '--port') options.port = Number(value);
    else if (flag === '--dir') options.dir = value;
    else if (flag === '--host') options.host = value;
    else throw new Error(`Unknown option ${flag}`);
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0)) {
    throw new Error(`Bad --port ${options.port}`);
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  const { url } = await startServer(options);
  console.log(`Serving ${options.dir ?? 'dist'} at ${url}`);
}
