import { releaseProxy, wrap, type Remote } from 'comlink';
import type { ModelKind } from '../../shared/protocol';
import type { BenchApi, CharLstmApi, GanApi, SegApi } from '../../shared/protocol/apis';

/** The `?backend=` URL parameter, which forces a tfjs backend in every worker. */
export function forcedBackend(): string | null {
  return new URLSearchParams(location.search).get('backend');
}

// Vite bundles a worker only from the literal `new Worker(new URL(...))` form. Every model runs the
// same script, which loads the API its name asks for: one bundle, so one copy of tfjs.
function startWorker(name: ModelKind | 'bench'): Worker {
  return new Worker(new URL('../../workers/model.worker.ts', import.meta.url), {
    type: 'module',
    name: /[?&]kernels=/.test(location.search) ? `${name}${location.search}` : name,
  });
}

interface Slot {
  worker: Worker;
  remote: Remote<unknown>;
}

const slots = new Map<ModelKind, Slot>();
const errorListeners = new Map<ModelKind, (why: string) => void>();

function remoteFor<T>(kind: ModelKind): Remote<T> {
  let slot = slots.get(kind);
  if (!slot) {
    const worker = startWorker(kind);
    // A worker that fails to load or throws at top level is as good as dead.
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      errorListeners.get(kind)?.(e.message || 'it failed to start');
    });
    slot = { worker, remote: wrap(worker) };
    slots.set(kind, slot);
  }
  return slot.remote as Remote<T>;
}

/** The char-LSTM worker, started on first use. */
export const charLstmWorker = (): Remote<CharLstmApi> => remoteFor<CharLstmApi>('char-lstm');

/** The DCGAN worker, started on first use. */
export const ganWorker = (): Remote<GanApi> => remoteFor<GanApi>('gan');

/** The segmenter worker, started on first use. */
export const segWorker = (): Remote<SegApi> => remoteFor<SegApi>('segmenter');

/** Registers the one callback told when `kind`'s worker reports a fatal error. */
export function onWorkerError(kind: ModelKind, listener: (why: string) => void): void {
  errorListeners.set(kind, listener);
}

/** Terminates `kind`'s worker (dead or hung); the next call starts a fresh one. */
export function restartWorker(kind: ModelKind): void {
  const slot = slots.get(kind);
  if (!slot) return;
  slots.delete(kind);
  slot.remote[releaseProxy]();
  slot.worker.terminate();
}

/** Every model worker started so far, to checkpoint them all before an update reloads the page. */
export function startedWorkers(): { checkpoint(): Promise<unknown> }[] {
  return [...slots.values()].map((s) => s.remote as Remote<{ checkpoint(): Promise<unknown> }>);
}

let bench: { worker: Worker; remote: Remote<BenchApi> } | null = null;

/** The Benchmark worker, started on first use; separate from the model workers so a run never touches a training session. */
export function benchWorker(): Remote<BenchApi> {
  if (!bench) {
    const worker = startWorker('bench');
    bench = { worker, remote: wrap<BenchApi>(worker) };
  }
  return bench.remote;
}
