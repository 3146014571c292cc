// Image decoding inside a worker. Browsers decode JPEG/WebP/GIF/BMP/PNG with createImageBitmap and
// read the pixels back through an OffscreenCanvas; where those are missing (Node, tests) only PNG is
// decoded, by our own codec. Either way the result is plain bytes, never a DOM object.
import { decodePngImage, type ImageDecoder } from '../../data/mask-import';

/** Most pixels accepted in one imported image (4096 x 4096). */
export const MAX_IMAGE_PIXELS = 4096 * 4096;

/** Decodes any browser-supported image to RGBA bytes `[height, width, 4]`; PNG-only without canvas. */
export const decodeAnyImage: ImageDecoder = (bytes, name) => decodeImage(bytes, name, 0);

/** Like `decodeAnyImage`, but the browser first scales an image whose shorter side exceeds `maxSide` down to it (up to 100 megapixels are accepted). */
export function decodeImageShrunk(maxSide: number): ImageDecoder {
  return (bytes, name) => decodeImage(bytes, name, maxSide);
}

async function decodeImage(bytes: Uint8Array, name: string, maxSide: number) {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function')
    return decodePngImage(bytes, name);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch {
    throw new Error('it is not an image this browser can decode, or it is corrupt');
  }
  try {
    const limit = maxSide ? 100_000_000 : MAX_IMAGE_PIXELS;
    if (bitmap.width * bitmap.height > limit)
      throw new Error(
        `it is ${bitmap.width}x${bitmap.height} pixels, more than the limit of ${limit}`,
      );
    const k = maxSide / Math.min(bitmap.width, bitmap.height);
    if (maxSide && k < 1) {
      // The browser's own high-quality scaler is far faster than reading every pixel of a photo.
      const full = bitmap;
      bitmap = await createImageBitmap(full, {
        resizeWidth: Math.max(1, Math.round(full.width * k)),
        resizeHeight: Math.max(1, Math.round(full.height * k)),
        resizeQuality: 'high',
      });
      full.close();
    }
    const { width, height } = bitmap;
    const ctx = new OffscreenCanvas(width, height).getContext('2d');
    if (!ctx) throw new Error('this browser cannot read image pixels in a worker');
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, width, height).data;
    return { width, height, channels: 4 as const, data };
  } finally {
    bitmap.close();
  }
}
