// NumPy's .npz (a zip of .npy arrays), written and read in plain TypeScript with fflate, so an
// exported experiment's images and weights open with numpy.load in Python and come back into the
// core unchanged. Only what the export needs: little-endian uint8, int32 and float32 arrays, C order.
import { unzipSync, zipSync } from 'fflate';

export type NpyArray =
  | { dtype: 'uint8'; shape: number[]; data: Uint8Array }
  | { dtype: 'int32'; shape: number[]; data: Int32Array }
  | { dtype: 'float32'; shape: number[]; data: Float32Array };

const DESCR = { uint8: '|u1', int32: '<i4', float32: '<f4' } as const;
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** One array as .npy (format 1.0) bytes. */
export function encodeNpy(array: NpyArray): Uint8Array {
  const size = array.shape.reduce((a, b) => a * b, 1);
  if (size !== array.data.length) throw new Error(`Array of shape [${array.shape.join(', ')}] needs ${size} values, got ${array.data.length}.`);
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[array.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Magic (6) + version (2) + header length (2) + header + '\n', padded with spaces to 64 bytes.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const body = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(body, 10 + header.length);
  return out;
}

/** Reads .npy bytes written by encodeNpy or numpy.save (uint8, int32, int64 as int32, float32, float64 as float32). */
export function decodeNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`${name} is not a .npy array.`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes[8] | (bytes[9] << 8) : bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24);
  const start = major === 1 ? 10 : 12;
  const header = String.fromCharCode(...bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${name} is in Fortran order; save it in C order.`);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const size = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  const raw = bytes.slice(offset); // aligned copy
  const view = new DataView(raw.buffer);
  switch (descr) {
    case '|u1':
    case '<u1':
      return { dtype: 'uint8', shape, data: raw.subarray(0, size) };
    case '<i4':
      return { dtype: 'int32', shape, data: new Int32Array(raw.buffer, 0, size) };
    case '<i8': {
      const data = new Int32Array(size);
      for (let i = 0; i < size; i++) data[i] = Number(view.getBigInt64(8 * i, true));
      return { dtype: 'int32', shape, data };
    }
    case '<f4':
      return { dtype: 'float32', shape, data: new Float32Array(raw.buffer, 0, size) };
    case '<f8': {
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = view.getFloat64(8 * i, true);
      return { dtype: 'float32', shape, data };
    }
    default:
      throw new Error(`${name} holds values of type ${descr}; only uint8, int32/int64 and float32/float64 arrays can be read.`);
  }
}

/** Arrays by name as .npz bytes (deflated, as numpy.savez_compressed writes). */
export function encodeNpz(arrays: Record<string, NpyArray>, level: 0 | 1 | 6 | 9 = 6): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, array] of Object.entries(arrays)) files[`${name}.npy`] = encodeNpy(array);
  return zipSync(files, { level });
}

/** The arrays of .npz bytes, by name (without ".npy"). */
export function decodeNpz(bytes: Uint8Array, fileName = 'The file'): Record<string, NpyArray> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (error) {
    throw new Error(`${fileName} is not an .npz file (${(error as Error).message}).`);
  }
  const out: Record<string, NpyArray> = {};
  for (const [path, data] of Object.entries(files)) {
    if (!path.endsWith('.npy')) continue;
    const name = path.slice(0, -4);
    out[name] = decodeNpy(data, `${fileName}: ${name}`);
  }
  return out;
}
