// The one Content-Security-Policy of the built app. It is sent as a response header (not a <meta>)
// because dedicated workers and the service worker take their policy from their own response.
// 'wasm-unsafe-eval' lets tfjs compile WebAssembly without allowing eval; the one extra
// connect-src host is where the Nietzsche corpus is downloaded from.
export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'connect-src': ["'self'", 'https://storage.googleapis.com'],
  'img-src': ["'self'", 'data:', 'blob:'],
  'style-src': ["'self'", "'unsafe-inline'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
};

/** The policy as a header value. */
export const CSP = Object.entries(CSP_DIRECTIVES)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join('; ');
