// Parameters held explicitly as name -> tensor, so forward passes are plain functions of
// (params, inputs) and meta-learners can run them with adapted weights. Helpers to create,
// copy, save and dispose such maps.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';

export type NamedTensors = Record<string, tf.Tensor>;

/** He-normal initialisation (fan-in), drawn from the seeded rng so runs replay exactly. */
export function heNormal(shape: number[], fanIn: number, rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const std = Math.sqrt(2 / fanIn);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
  return tf.tensor(values, shape, 'float32');
}

/** Glorot-uniform initialisation, seeded. */
export function glorotUniform(shape: number[], fanIn: number, fanOut: number, rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.uniform(-limit, limit);
  return tf.tensor(values, shape, 'float32');
}

/** Copies values into fresh tensors (e.g. to snapshot weights). */
export function cloneTensors(params: NamedTensors): NamedTensors {
  const out: NamedTensors = {};
  for (const [name, t] of Object.entries(params)) out[name] = t.clone();
  return out;
}

export function disposeTensors(params: NamedTensors | undefined): void {
  if (!params) return;
  for (const t of Object.values(params)) t.dispose();
}

/** Serialisable snapshot: name -> { shape, values }. */
export interface SavedTensor {
  shape: number[];
  values: Float32Array;
}
export type SavedTensors = Record<string, SavedTensor>;

export async function saveTensors(params: NamedTensors): Promise<SavedTensors> {
  const out: SavedTensors = {};
  for (const [name, t] of Object.entries(params)) {
    out[name] = { shape: t.shape.slice(), values: (await t.data()) as Float32Array };
  }
  return out;
}

export function loadTensors(saved: SavedTensors): NamedTensors {
  const out: NamedTensors = {};
  for (const [name, s] of Object.entries(saved)) out[name] = tf.tensor(s.values, s.shape, 'float32');
  return out;
}

/**
 * Replaces the entries of `target` whose names, with `prefix`, are in `saved`, checking that every
 * name is present and every shape matches before anything is changed (a bad file changes nothing).
 */
export function assignNamed(target: NamedTensors, saved: SavedTensors, prefix = ''): void {
  for (const name of Object.keys(target)) {
    const s = saved[prefix + name];
    if (!s) throw new Error(`Saved state has no tensor named "${prefix + name}".`);
    const want = target[name].shape.join('x');
    if (s.shape.join('x') !== want) {
      throw new Error(`Saved tensor "${prefix + name}" has shape ${s.shape.join('x')}, expected ${want}.`);
    }
    if (s.values.length !== target[name].size) {
      throw new Error(`Saved tensor "${prefix + name}" has ${s.values.length} values, expected ${target[name].size}.`);
    }
  }
  for (const name of Object.keys(target)) {
    const s = saved[prefix + name];
    target[name].dispose();
    target[name] = tf.tensor(s.values, s.shape, 'float32');
  }
}

/** Number of scalar parameters. */
export function parameterCount(params: NamedTensors): number {
  return Object.values(params).reduce((sum, t) => sum + t.size, 0);
}
