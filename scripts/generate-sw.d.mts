/** Writes `<dir>/sw.js` and returns the precached files with their sizes in bytes. */
export declare function generateServiceWorker(options?: { dir?: string }): Promise<{
  swDest: string;
  count: number;
  size: number;
  entries: { file: string; bytes: number }[];
}>;
