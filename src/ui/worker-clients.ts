import { wrap, type Remote } from 'comlink';
import type { CharLstmApi } from '../workers/char-lstm.worker';
import type { GanApi } from '../workers/gan.worker';
import type { SegApi } from '../workers/segmenter.worker';

let textWorker: Remote<CharLstmApi> | null = null;

/** The `?backend=` URL parameter, which forces a tfjs backend in every worker. */
export function forcedBackend(): string | null {
  return new URLSearchParams(location.search).get('backend');
}

/** The char-LSTM worker, started on first use. */
export function charLstmWorker(): Remote<CharLstmApi> {
  textWorker ??= wrap<CharLstmApi>(
    new Worker(new URL('../workers/char-lstm.worker.ts', import.meta.url), {
      type: 'module',
      name: 'char-lstm',
    }),
  );
  return textWorker;
}

let ganWorkerRemote: Remote<GanApi> | null = null;

/** The DCGAN worker, started on first use. */
export function ganWorker(): Remote<GanApi> {
  ganWorkerRemote ??= wrap<GanApi>(
    new Worker(new URL('../workers/gan.worker.ts', import.meta.url), {
      type: 'module',
      name: 'gan',
    }),
  );
  return ganWorkerRemote;
}

let segWorkerRemote: Remote<SegApi> | null = null;

/** The segmenter worker, started on first use. */
export function segWorker(): Remote<SegApi> {
  segWorkerRemote ??= wrap<SegApi>(
    new Worker(new URL('../workers/segmenter.worker.ts', import.meta.url), {
      type: 'module',
      name: 'segmenter',
    }),
  );
  return segWorkerRemote;
}

/** Every model worker started so far, to checkpoint them all before an update reloads the page. */
export function startedWorkers(): { checkpoint(): Promise<unknown> }[] {
  return [textWorker, ganWorkerRemote, segWorkerRemote].filter((w) => w !== null);
}
