// The kernel-function types every override shares, on cpu and on webgpu.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';

/** The argument object of a tfjs kernel function: inputs, backend and attributes. */
export type KernelArgs = Parameters<KernelFunc>[0];

/** A fast path in front of a stock kernel: its result, or null to let the stock kernel run. */
export type FastKernel = (args: KernelArgs) => TensorInfo | TensorInfo[] | null;
