// The geometry of a 2-D convolution as our cpu and webgpu conv kernels need it.
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap } from '@tensorflow/tfjs';

/** Geometry of one stride/pad convolution, NHWC. */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  fH: number;
  fW: number;
  sH: number;
  sW: number;
  top: number;
  left: number;
}

/** The geometry of a conv of `xShape` `[b, h, w, c]` with `filterShape` `[fh, fw, c, o]` and the kernel's attributes, or null for what our kernels leave to tfjs (NCHW, dilations, explicit padding). */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: NamedAttrMap,
): ConvGeometry | null {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number;
    dataFormat?: string;
    dilations?: number | [number, number];
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast')
    return null;
  const dil = Array.isArray(dilations) ? dilations : [dilations ?? 1, dilations ?? 1];
  if (dil[0] !== 1 || dil[1] !== 1 || typeof pad === 'object') return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fH: info.filterHeight,
    fW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}
