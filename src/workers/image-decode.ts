// Image decoding inside a worker. Browsers decode JPEG/WebP/GIF/BMP/PNG with createImageBitmap and
// read the pixels back through an OffscreenCanvas; where those are missing (Node, tests) only PNG is
// decoded, by our own codec. Either way the result is plain bytes, never a DOM object.
import { decodePngImage, type ImageDecoder } from '../data/mask-import';

/** Most pixels accepted in one imported image (4096 x 4096). */
export const MAX_IMAGE_PIXELS = 4096 * 4096;

/** Decodes any browser-supported image to RGBA bytes `[height, width, 4]`; PNG-only without canvas. */
export const decodeAnyImage: ImageDecoder = async (bytes, name) => {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function')
    return decodePngImage(bytes, name);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch {
    throw new Error('it is not an image this browser can decode, or it is corrupt');
  }
  try {
    const { width, height } = bitmap;
    if (width * height > MAX_IMAGE_PIXELS)
      throw new Error(`it is ${width}x${height} pixels, more than the limit of ${MAX_IMAGE_PIXELS}`);
    const ctx = new OffscreenCanvas(width, height).getContext('2d');
    if (!ctx) throw new Error('this browser cannot read image pixels in a worker');
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, width, height).data;
    return { width, height, channels: 4, data };
  } finally {
    bitmap.close();
  }
};
