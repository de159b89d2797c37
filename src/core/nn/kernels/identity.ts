// Identity, and Cast to the same dtype, without copying on wasm. tfjs calls Identity for every
// tf.clone and in gradient bookkeeping, and casts float32 to float32 in several gradients; the
// stock wasm kernels copy the whole tensor each time (about 15 full-size copies per Conv-4 step).
// Tensors are immutable in tfjs, so sharing the storage (with a reference count, as Reshape does)
// is safe; the cpu backend's own Identity already works this way.
import * as tf from '@tensorflow/tfjs';
import { callStock, replaceKernel, type BackendHandle } from './backend-calls';

function share(backend: BackendHandle, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function registerSharedIdentity(backendName: string): void {
  replaceKernel('Identity', backendName, (stock) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return callStock(stock, args, 'Identity of strings');
    return share(args.backend as BackendHandle, x);
  });
  replaceKernel('Cast', backendName, (stock) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { dtype } = args.attrs as { dtype: tf.DataType };
    if (dtype !== x.dtype || x.dtype === 'string') return callStock(stock, args, 'Cast');
    return share(args.backend as BackendHandle, x);
  });
}
