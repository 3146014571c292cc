import { defineConfig } from 'vitest/config';

const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';

export default defineConfig({
  test: {
    // Two cores: two test processes at a time.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**', 'tests/slow/**'],
          setupFiles: ['tests/setup/tf.ts', 'tests/setup/kernels.ts'],
          // Dawn is a native addon: separate processes are safer than worker threads.
          pool: 'forks',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          env: { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? swiftshader },
        },
      },
      {
        // Quality checks that train for minutes (`npm run test:slow`); CI keeps to the fast ones.
        test: {
          name: 'slow',
          include: ['tests/slow/**/*.test.ts'],
          setupFiles: ['tests/setup/tf.ts', 'tests/setup/kernels.ts'],
          pool: 'forks',
          testTimeout: 1_200_000,
          hookTimeout: 180_000,
          env: { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? swiftshader },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          // One browser test file at a time: they share the build and the two cores.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 400_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
