// The in-app Benchmark driven in headless Debian chromium (SwiftShader), once per browser backend:
// serves the production build, opens the Benchmark tab with `?backend=` and `?kernels=`, runs the
// chosen models and reads the report the person would download.
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { BENCH_MODEL_LABELS } from '../src/shared/bench';
import type { BenchModel, BenchReport, BenchRow } from '../src/shared/bench';
import { launch, serve } from '../tests/e2e/browser';

/** The browser backends measured; both run on SwiftShader here. */
export const CHROMIUM_BACKENDS = ['webgpu', 'webgl'] as const;

/** The numbers of one row kept in the bench record (the row's strings stay in the report). */
function numbers(row: BenchRow): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(row)) if (typeof v === 'number') out[k] = v;
  return out;
}

/** Runs the in-app Benchmark for `models` on each Chromium backend with `kernels` (`?kernels=`); rows keyed by model then `chromium-<backend>`. */
export async function runChromiumBench(
  models: BenchModel[],
  log: (line: string) => void,
  kernels = 'ours',
): Promise<Record<BenchModel, Record<string, Record<string, number>>>> {
  // Always the current code: a stale dist/ would measure an older app.
  log('building the app into dist/…');
  execSync('npm run build', { stdio: ['ignore', 'ignore', 'inherit'] });
  const server = await serve('dist');
  const browser = await launch();
  const out = {} as Record<BenchModel, Record<string, Record<string, number>>>;
  try {
    for (const backend of CHROMIUM_BACKENDS) {
      const t0 = performance.now();
      const page = await browser.newPage({ acceptDownloads: true });
      await page.goto(`${server.url}?backend=${backend}&kernels=${kernels}`);
      await page.getByRole('tab', { name: 'Benchmark' }).click();
      const ui = page.locator('bench-panel');
      // A forced backend that fails its self-test falls back; the report says which one ran.
      await ui
        .getByTestId('backend')
        .filter({ hasNotText: 'starting' })
        .waitFor({ timeout: 300_000 });
      for (const box of await ui.getByRole('checkbox').all()) await box.uncheck();
      for (const m of models) {
        await ui.getByRole('checkbox', { name: BENCH_MODEL_LABELS[m] }).check();
      }
      await ui.getByRole('button', { name: 'Run benchmark' }).click();
      const download = ui.getByRole('button', { name: 'Download JSON' });
      const failed = ui.getByRole('alert');
      await download.or(failed).waitFor({ timeout: 1_800_000 });
      if (await failed.isVisible())
        throw new Error(`chromium ${backend}: ${await failed.textContent()}`);
      const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
      const report = JSON.parse(readFileSync(await file.path(), 'utf8')) as BenchReport;
      for (const row of report.rows) {
        out[row.model] ??= {};
        out[row.model][`chromium-${report.backend}`] = {
          ...numbers(row),
          matmulPeakFlopsPerSec: report.matmulPeakFlopsPerSec,
          gpuErrors: report.gpuErrors,
        };
      }
      log(`chromium ${backend} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      await page.close();
    }
  } finally {
    await browser.close();
    server.stop();
  }
  return out;
}
