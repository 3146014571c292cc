import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/shared/bench';
import { backendReady, openApp, useApp } from './harness';

describe('Benchmark tab in Chromium (WebGPU on SwiftShader)', () => {
  const app = useApp();

  it('measures the char-LSTM at small batches, shows the table and exports the JSON, with no long task on the page', async () => {
    const { context, page, seen } = await openApp(app.browser, app.server.url);
    await page.getByRole('tab', { name: 'Benchmark' }).click();
    const ui = page.locator('bench-panel');
    await backendReady(ui);
    for (const box of await ui.getByRole('checkbox').all()) await box.uncheck();
    await ui.getByRole('checkbox', { name: 'Text (char-LSTM)' }).check();
    await ui.getByLabel('Size').selectOption('small');
    await ui.getByRole('button', { name: 'Run benchmark' }).click();
    const download = ui.getByRole('button', { name: 'Download JSON' });
    await download.waitFor({ timeout: 300_000 });
    const table = await ui.locator('table').textContent();
    expect(table).toContain('Page long tasks (> 50 ms)');
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    const report = JSON.parse(readFileSync(await file.path(), 'utf8')) as BenchReport;
    expect(report.backend).toBe('webgpu');
    expect(report.size).toBe('small');
    expect(report.matmulPeakFlopsPerSec).toBeGreaterThan(0);
    expect(report.rows.map((r) => r.model)).toEqual(['char-lstm']);
    const [row] = report.rows;
    expect(row.batch).toBe(32);
    expect(row.steps).toBeGreaterThanOrEqual(3);
    expect(row.examplesPerSec).toBeGreaterThan(0);
    expect(row.leakedTensorsPer1000Steps).toBe(0);
    expect(row.saveOverStep).toBeGreaterThan(0);
    // The model trains in the Benchmark worker: the page itself never blocks for more than 50 ms.
    expect(row.mainThreadLongTasks).toBe(0);
    expect(report.gpuErrors).toBe(0);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
