// Transpose of 4-D float32 tensors for the cpu backend as four plain nested loops. The stock cpu
// kernel computes every index through generic helpers (about 50 ms per million values); the
// convolution-based weight gradient transposes whole activations, so this matters on cpu.
import * as tf from '@tensorflow/tfjs';
import { callStock, replaceKernel, type BackendHandle } from './backend-calls';
import { float32Memory } from './tensor-memory';

export function registerCpuTranspose(): void {
  replaceKernel('Transpose', 'cpu', (stock) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { perm } = args.attrs as { perm: number[] };
    if (x.dtype !== 'float32' || x.shape.length !== 4) return callStock(stock, args, 'Transpose');
    const memory = float32Memory(args.backend as BackendHandle, 'cpu');
    const out = memory.allocate(perm.map((p) => x.shape[p]));
    permute4d(memory.view(x), x.shape, perm, memory.view(out));
    return out;
  });
}

/** out[i0, i1, i2, i3] = x[index with axis perm[k] = i_k], row-major. */
export function permute4d(x: Float32Array, shape: number[], perm: number[], out: Float32Array): void {
  const inStrides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const [n0, n1, n2, n3] = perm.map((p) => shape[p]);
  const [s0, s1, s2, s3] = perm.map((p) => inStrides[p]);
  let o = 0;
  for (let a = 0; a < n0; a++) {
    for (let b = 0; b < n1; b++) {
      for (let c = 0; c < n2; c++) {
        let i = a * s0 + b * s1 + c * s2;
        for (let d = 0; d < n3; d++, i += s3) out[o++] = x[i];
      }
    }
  }
}
