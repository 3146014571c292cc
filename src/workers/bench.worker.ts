import { expose } from 'comlink';
import { createBenchApi } from './bench/api';

const api = createBenchApi();

/** The API this worker exposes; the UI wraps it with `wrap<BenchApi>()`. */
export type BenchApi = typeof api;
expose(api);
