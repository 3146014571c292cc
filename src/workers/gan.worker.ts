import { expose } from 'comlink';
import { createGanApi } from './faces/api';

const api = createGanApi();

/** The API this worker exposes; the UI wraps it with `wrap<GanApi>()`. */
export type GanApi = typeof api;
expose(api);
