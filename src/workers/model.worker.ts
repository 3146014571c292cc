// The one worker script of the app: the page starts it once per model, named after the model, and it
// loads that model's API. One script means one bundle, so tfjs and the shared runtime are one chunk
// for all four workers instead of a copy in each. The name carries the page's query when it has
// `?kernels=` (src/ui/session/worker-client.ts), e.g. `gan?kernels=stock`.

const APIS: Record<string, () => Promise<unknown>> = {
  'char-lstm': () => import('./char-lstm.worker'),
  gan: () => import('./gan.worker'),
  segmenter: () => import('./segmenter.worker'),
  bench: () => import('./bench.worker'),
};

// Messages that arrive while the API's chunk loads would reach no listener: hold them, then hand
// them to the listener the API module adds with Comlink's `expose`.
const early: MessageEvent[] = [];
const hold = (e: MessageEvent): void => {
  early.push(e);
};
self.addEventListener('message', hold);
const [model, query = ''] = self.name.split('?');
const load = APIS[model];
if (!load) throw new Error(`No model worker is called “${model}”.`);
await load();
// The API module has loaded the runtime already; its first message (init) is still held.
(await import('./runtime/backend')).chooseKernels(new URLSearchParams(query).get('kernels'));
self.removeEventListener('message', hold);
for (const e of early) self.dispatchEvent(new MessageEvent('message', { data: e.data }));

export {};
