/** MIME types by file extension (with the dot). */
export declare const MIME_TYPES: Record<string, string>;

/** A running static server. */
export interface StaticServer {
  /** `http://host:port/`, with a trailing slash. */
  url: string;
  port: number;
  /** Serves another folder at the same origin from the next request on. */
  setDir(dir: string): void;
  close(): Promise<void>;
}

/** Starts the static server over `dir` (default dist) on `port` (0 = any free port). */
export declare function startServer(options?: {
  dir?: string;
  port?: number;
  host?: string;
}): Promise<StaticServer>;
