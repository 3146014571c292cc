import { expose } from 'comlink';
import { createCharLstmApi } from './text/api';

const api = createCharLstmApi();

/** The API this worker exposes; the UI wraps it with `wrap<CharLstmApi>()`. */
export type CharLstmApi = typeof api;
expose(api);
