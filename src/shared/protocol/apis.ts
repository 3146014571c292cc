// The four worker APIs as the page sees them through Comlink's `wrap<T>()`. Each is the type of the
// object its worker's `create…Api()` builds, so the page can never call what a worker lacks.
import type { createBenchApi } from '../../workers/bench/api';
import type { createGanApi } from '../../workers/faces/api';
import type { createSegApi } from '../../workers/segmentation/api';
import type { createCharLstmApi } from '../../workers/text/api';

/** The Text worker's API. */
export type CharLstmApi = ReturnType<typeof createCharLstmApi>;
/** The Faces worker's API. */
export type GanApi = ReturnType<typeof createGanApi>;
/** The Segmentation worker's API. */
export type SegApi = ReturnType<typeof createSegApi>;
/** The Benchmark worker's API. */
export type BenchApi = ReturnType<typeof createBenchApi>;
