// The one worker script of the app: the page starts it once per model, named after the model, and it
// loads and exposes that model's API (whose type the page reads in src/shared/protocol/apis.ts). One
// script means one bundle, so tfjs and the shared runtime are one chunk for all four workers. The
// name carries the page's query when it has `?kernels=` (src/ui/session/worker-client.ts), e.g.
// `gan?kernels=stock`.
import { expose } from 'comlink';

const APIS: Record<string, () => Promise<object>> = {
  'char-lstm': async () => (await import('./text/api')).createCharLstmApi(),
  gan: async () => (await import('./faces/api')).createGanApi(),
  segmenter: async () => (await import('./segmentation/api')).createSegApi(),
  bench: async () => (await import('./bench/api')).createBenchApi(),
};

// Messages that arrive while the API's chunk loads would reach no listener: hold them, then hand
// them to the listener Comlink's `expose` adds.
const early: MessageEvent[] = [];
const hold = (e: MessageEvent): void => {
  early.push(e);
};
self.addEventListener('message', hold);
const [model, query = ''] = self.name.split('?');
const load = APIS[model];
if (!load) throw new Error(`No model worker is called “${model}”.`);
const api = await load();
// The API module has loaded the runtime already; its first message (init) is still held.
(await import('./runtime/backend')).chooseKernels(new URLSearchParams(query).get('kernels'));
expose(api);
self.removeEventListener('message', hold);
for (const e of early) self.dispatchEvent(new MessageEvent('message', { data: e.data }));
