import { defineConfig } from 'vite';

// Workers are ES modules so that they can use top-level await and share chunks with each other.
export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 4000,
  },
  worker: { format: 'es' },
});
