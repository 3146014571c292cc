// The one matrix product of the cpu kernels (convolution and its gradients, LSTM): rows of both
// operands contiguous, so the inner loop reads memory in order, and 4x4 register blocks so each
// loaded value is used four times. Sums run in float64 (JS numbers) and are rounded once, on store
// into a Float32Array (a Float64Array keeps them whole, for gradients accumulated over chunks).

/** out[outOff + i·n + j] = Σ_q a[aOff + i·k + q] · bt[j·k + q] for i < m, j < n (A·Bᵀ with both row-major), in 4x4 register blocks. */
export function gemmABt(
  a: Float32Array,
  aOff: number,
  bt: Float32Array,
  out: Float32Array | Float64Array,
  outOff: number,
  m: number,
  k: number,
  n: number,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k; // prettier-ignore
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k; // prettier-ignore
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0; // prettier-ignore
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0; // prettier-ignore
      for (let q = 0; q < k; q++) {
        const x0 = a[a0 + q], x1 = a[a1 + q], x2 = a[a2 + q], x3 = a[a3 + q]; // prettier-ignore
        const y0 = bt[b0 + q], y1 = bt[b1 + q], y2 = bt[b2 + q], y3 = bt[b3 + q]; // prettier-ignore
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3; // prettier-ignore
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3; // prettier-ignore
        s20 += x2 * y0;
        s21 += x2 * y1;
        s22 += x2 * y2;
        s23 += x2 * y3; // prettier-ignore
        s30 += x3 * y0;
        s31 += x3 * y1;
        s32 += x3 * y2;
        s33 += x3 * y3; // prettier-ignore
      }
      const r0 = outOff + i * n + j, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n; // prettier-ignore
      out[r0] = s00;
      out[r0 + 1] = s01;
      out[r0 + 2] = s02;
      out[r0 + 3] = s03; // prettier-ignore
      out[r1] = s10;
      out[r1 + 1] = s11;
      out[r1 + 2] = s12;
      out[r1 + 3] = s13; // prettier-ignore
      out[r2] = s20;
      out[r2 + 1] = s21;
      out[r2 + 2] = s22;
      out[r2 + 3] = s23; // prettier-ignore
      out[r3] = s30;
      out[r3 + 1] = s31;
      out[r3 + 2] = s32;
      out[r3 + 3] = s33; // prettier-ignore
    }
  }
  // Rows and columns that do not fill a 4x4 block.
  for (let i = 0; i < m; i++) {
    for (let j = i < m4 ? n4 : 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += a[aOff + i * k + q] * bt[j * k + q];
      out[outOff + i * n + j] = s;
    }
  }
}

/** `[cols, rows]` into `out` from the first `rows` rows of the row-major `[rows, cols]` `src`. */
export function transpose(
  src: Float32Array,
  rows: number,
  cols: number,
  out = new Float32Array(rows * cols),
): Float32Array {
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}
