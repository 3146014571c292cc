// How our cpu kernels read and make tensors: straight on the cpu backend's typed arrays.
import type { DataId, TensorInfo } from '@tensorflow/tfjs';

/** The cpu backend as our kernels use it. */
export interface CpuBackend {
  data: { get(id: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** The values of `t` on the cpu backend when it holds float32 (or `dtype` int32), else null. */
export function cpuValues(backend: unknown, t: TensorInfo | undefined): Float32Array | null;
export function cpuValues(
  backend: unknown,
  t: TensorInfo | undefined,
  dtype: 'int32',
): Int32Array | null;
export function cpuValues(
  backend: unknown,
  t: TensorInfo | undefined,
  dtype: 'float32' | 'int32' = 'float32',
): Float32Array | Int32Array | null {
  if (!t || t.dtype !== dtype) return null;
  const v = (backend as CpuBackend).data.get(t.dataId).values;
  const ok = dtype === 'int32' ? v instanceof Int32Array : v instanceof Float32Array;
  return ok ? (v as Float32Array | Int32Array) : null;
}

/** A new float32 tensor of `shape` holding `values` on the cpu backend. */
export function cpuTensor(backend: unknown, shape: number[], values: Float32Array): TensorInfo {
  return (backend as CpuBackend).makeTensorInfo(shape, 'float32', values);
}
