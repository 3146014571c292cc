// `npm run bench -- [model...] [--quality | --speed] [--quick] [--kernels=ours|stock] [--no-chromium]`:
// runs the registered model benchmarks in Node on cpu and webgpu (Dawn over SwiftShader), then the
// in-app Benchmark in headless chromium on webgpu and webgl (SwiftShader), prints a table to stderr,
// writes bench/results/<date>-<host>.json and prints the same record as one JSON line, the last
// line of stdout.
// Speed is always measured. Quality (the GAN's Fréchet distance, the segmenter's held-out IoU) needs
// a training budget of minutes per model on a CPU, so it runs for the models named on the command
// line (unless --speed), or for all with --quality: a bare `npm run bench` stays within 15 minutes on
// 2 cores. --quick times the fewest steps that give a figure.
// Our steps run on the kernels --kernels names (src/models/kernels; default ours, in the browser
// too); every baseline (the Keras way, the tf.layers reference) runs on stock tfjs kernels.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a model bench returns: one flat record of numbers per backend, plus anything else. */
export interface BenchResult {
  backends: Record<string, Record<string, number>>;
  [key: string]: unknown;
}

/** How a model bench runs: with its quality budget or speed only, and with the fewest timed steps or its usual plan. */
export interface BenchOptions {
  quality: boolean;
  quick: boolean;
}

// Loaded lazily, after the WebGPU setup below.
const BENCHES: Record<string, (opts: BenchOptions) => Promise<BenchResult>> = {
  lstm: async ({ quick }) => (await import('./lstm')).runLstmBench(quick),
  segmenter: async ({ quality }) => (await import('./segmenter')).runSegmenterBench(quality),
  gan: async ({ quality, quick }) => (await import('./gan')).runGanBench(quality, quick),
  starters: async () => (await import('./starters')).runStartersBench(),
};

function printTable(results: Record<string, BenchResult>): void {
  const rows: string[][] = [['model', 'backend', 'metric', 'value']];
  for (const [model, result] of Object.entries(results)) {
    for (const [backend, record] of Object.entries(result.backends)) {
      for (const [metric, value] of Object.entries(record)) {
        const shown = Math.abs(value) >= 1e6 ? value.toExponential(3) : String(+value.toFixed(3));
        rows.push([model, backend, metric, shown]);
      }
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.error(r.map((cell, c) => cell.padEnd(widths[c])).join('  '));
}

function mergeResult(old: BenchResult | undefined, now: BenchResult): BenchResult {
  if (!old) return now;
  const backends = { ...old.backends };
  for (const [b, record] of Object.entries(now.backends))
    backends[b] = { ...backends[b], ...record };
  return { ...old, ...now, backends };
}

async function main(): Promise<void> {
  // Installs Dawn as navigator.gpu and registers the webgpu backend, as in the unit tests.
  await import('../tests/setup/tf');
  const kernelsArg = process.argv.find((a) => a.startsWith('--kernels='));
  const kernels = kernelsArg?.slice('--kernels='.length) ?? 'ours';
  if (kernels !== 'ours' && kernels !== 'stock') throw new Error('--kernels= takes ours or stock');
  const { useKernels } = await import('../src/models/kernels');
  useKernels(kernels);
  // `npm run bench -- gan --eval <session.zip>`: score a saved generator with the controls, no training.
  const evalAt = process.argv.indexOf('--eval');
  if (evalAt >= 0) {
    const { evalSessionZip } = await import('./gan-quality');
    console.log(JSON.stringify(await evalSessionZip(process.argv[evalAt + 1])));
    return;
  }
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = asked.length ? asked : Object.keys(BENCHES);
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    throw new Error(
      `unknown bench ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`,
    );
  }
  const has = (flag: string): boolean => process.argv.includes(flag);
  const quality = (asked.length > 0 || has('--quality')) && !has('--speed');
  if (!quality) console.error('speed only; quality: npm run bench -- gan segmenter (or --quality)');
  console.error(`kernels: ${kernels} (baselines: stock)`);
  const results: Record<string, BenchResult> = {};
  for (const name of names) {
    const t0 = performance.now();
    results[name] = await BENCHES[name]({ quality, quick: has('--quick') });
    console.error(`${name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const inApp = { lstm: 'char-lstm', gan: 'gan', segmenter: 'segmenter' } as const;
  const models = names.flatMap((n) => (n in inApp ? [inApp[n as keyof typeof inApp]] : []));
  // The Benchmark tab measures the three models only; a run of other benches has nothing to ask it.
  if (models.length > 0 && !process.argv.includes('--no-chromium')) {
    const { runChromiumBench } = await import('./chromium');
    const rows = await runChromiumBench(models, (line) => console.error(line), kernels);
    for (const name of names.filter((n) => n in inApp)) {
      Object.assign(results[name].backends, rows[inApp[name as keyof typeof inApp]] ?? {});
    }
  }
  // A stock run keeps its own rows beside ours in the day's file.
  if (kernels === 'stock') {
    for (const r of Object.values(results)) {
      r.backends = Object.fromEntries(
        Object.entries(r.backends).map(([b, record]) => [`${b}-stock-kernels`, record]),
      );
    }
  }
  printTable(results);
  const date = new Date().toISOString().slice(0, 10);
  const host = hostname();
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${date}-${host}.json`);
  // Benches of one day and host share a file: a later run keeps the other models' results, and a
  // speed-only run keeps the quality figures of the same model (each number is its latest).
  const earlier = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { results?: Record<string, BenchResult> }).results
    : undefined;
  const merged: Record<string, BenchResult> = { ...earlier };
  for (const [name, r] of Object.entries(results)) merged[name] = mergeResult(merged[name], r);
  const record = { date, host, node: process.version, results: merged };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(JSON.stringify({ date, host, node: process.version, kernels, results }));
}

try {
  await main();
  // Dawn keeps the event loop alive.
  process.exit(0);
} catch (err) {
  console.error(err);
  process.exit(1);
}
