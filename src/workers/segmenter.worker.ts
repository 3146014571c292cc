import { expose } from 'comlink';
import { createSegApi } from './segmentation/api';

const api = createSegApi();

/** The API this worker exposes; the UI wraps it with `wrap<SegApi>()`. */
export type SegApi = typeof api;
expose(api);
