// A minimal WebAssembly binary writer, enough to express small SIMD kernels (loops over float32
// arrays) in TypeScript without a compiler toolchain. A module imports one memory (the tfjs wasm
// backend's heap, so kernels read and write tensors in place) and exports functions whose
// parameters are i32 byte offsets and sizes. Only the instructions the kernels use are here.

export type ValueType = 'i32' | 'f32' | 'f64' | 'v128';

const VALUE_TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

function unsignedLeb(value: number, out: number[]): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function signedLeb(value: number, out: number[]): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function encodeName(name: string, out: number[]): void {
  const bytes = new TextEncoder().encode(name);
  unsignedLeb(bytes.length, out);
  for (const b of bytes) out.push(b);
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  unsignedLeb(body.length, out);
  for (const b of body) out.push(b);
}

/** A local variable (parameters come first) as used by the code emitter. */
export type Local = number;

/**
 * Emits the body of one function. Methods are named after the WebAssembly instructions
 * (`f32x4_add` for f32x4.add). Memory offsets: `offset` is a constant byte offset added to the
 * address on the stack; `align` is log2 of the assumed alignment (a hint only).
 */
export class CodeEmitter {
  readonly bytes: number[] = [];
  private readonly localTypes: ValueType[] = [];

  constructor(private readonly paramCount: number) {}

  /** Declares a new local of `type` and returns its index. */
  local(type: ValueType): Local {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }

  encodedLocals(): number[] {
    // One entry per local (simple; the kernels have few locals).
    const out: number[] = [];
    unsignedLeb(this.localTypes.length, out);
    for (const t of this.localTypes) {
      out.push(1, VALUE_TYPE_CODE[t]);
    }
    return out;
  }

  private op(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }

  private simd(code: number, ...immediates: number[]): this {
    this.bytes.push(0xfd);
    unsignedLeb(code, this.bytes);
    for (const b of immediates) this.bytes.push(b);
    return this;
  }

  private memarg(align: number, offset: number): number[] {
    const out: number[] = [];
    unsignedLeb(align, out);
    unsignedLeb(offset, out);
    return out;
  }

  // Control flow. `body` emits the inner instructions; blocks and loops produce no value.
  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.op(0x0b);
  }
  loop(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.op(0x0b);
  }
  /** if (top of stack != 0) then ... [else ...]. */
  if(then: () => void, otherwise?: () => void): this {
    this.op(0x04, 0x40);
    then();
    if (otherwise) {
      this.op(0x05);
      otherwise();
    }
    return this.op(0x0b);
  }
  br(depth: number): this {
    this.op(0x0c);
    unsignedLeb(depth, this.bytes);
    return this;
  }
  br_if(depth: number): this {
    this.op(0x0d);
    unsignedLeb(depth, this.bytes);
    return this;
  }
  return(): this {
    return this.op(0x0f);
  }
  drop(): this {
    return this.op(0x1a);
  }
  select(): this {
    return this.op(0x1b);
  }

  /**
   * for (i = start; i < end; i += step) body(), with i, end and step as i32 locals or constants.
   * The loop does not run when start >= end.
   */
  forRange(i: Local, start: Local | { const: number }, end: Local, step: number | Local, body: () => void): this {
    this.push(start).local_set(i);
    return this.block(() => {
      this.local_get(i).local_get(end).i32_ge_s().br_if(0);
      this.loop(() => {
        body();
        this.local_get(i);
        if (typeof step === 'number') this.i32_const(step);
        else this.local_get(step);
        this.i32_add().local_tee(i).local_get(end).i32_lt_s().br_if(0);
      });
    });
  }

  /** Pushes a local or a constant i32. */
  push(value: Local | { const: number }): this {
    return typeof value === 'number' ? this.local_get(value) : this.i32_const(value.const);
  }

  local_get(i: Local): this {
    this.op(0x20);
    unsignedLeb(i, this.bytes);
    return this;
  }
  local_set(i: Local): this {
    this.op(0x21);
    unsignedLeb(i, this.bytes);
    return this;
  }
  local_tee(i: Local): this {
    this.op(0x22);
    unsignedLeb(i, this.bytes);
    return this;
  }

  // Scalar memory.
  i32_load(offset = 0): this {
    return this.op(0x28, ...this.memarg(2, offset));
  }
  f32_load(offset = 0): this {
    return this.op(0x2a, ...this.memarg(2, offset));
  }
  f64_load(offset = 0): this {
    return this.op(0x2b, ...this.memarg(3, offset));
  }
  i32_store(offset = 0): this {
    return this.op(0x36, ...this.memarg(2, offset));
  }
  f32_store(offset = 0): this {
    return this.op(0x38, ...this.memarg(2, offset));
  }
  f64_store(offset = 0): this {
    return this.op(0x39, ...this.memarg(3, offset));
  }

  // Scalar arithmetic.
  i32_const(v: number): this {
    this.op(0x41);
    signedLeb(v, this.bytes);
    return this;
  }
  f32_const(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.op(0x43, ...b);
  }
  i32_eqz(): this {
    return this.op(0x45);
  }
  i32_eq(): this {
    return this.op(0x46);
  }
  i32_ne(): this {
    return this.op(0x47);
  }
  i32_lt_s(): this {
    return this.op(0x48);
  }
  i32_gt_s(): this {
    return this.op(0x4a);
  }
  i32_le_s(): this {
    return this.op(0x4c);
  }
  i32_ge_s(): this {
    return this.op(0x4e);
  }
  f32_gt(): this {
    return this.op(0x5e);
  }
  i32_add(): this {
    return this.op(0x6a);
  }
  i32_sub(): this {
    return this.op(0x6b);
  }
  i32_mul(): this {
    return this.op(0x6c);
  }
  i32_and(): this {
    return this.op(0x71);
  }
  i32_shl(): this {
    return this.op(0x74);
  }
  f32_add(): this {
    return this.op(0x92);
  }
  f32_mul(): this {
    return this.op(0x94);
  }
  f64_add(): this {
    return this.op(0xa0);
  }
  f64_promote_f32(): this {
    return this.op(0xbb);
  }

  // SIMD memory and lanes.
  v128_load(offset = 0): this {
    return this.simd(0x00, ...this.memarg(4, offset));
  }
  v128_load32_splat(offset = 0): this {
    return this.simd(0x09, ...this.memarg(2, offset));
  }
  v128_store(offset = 0): this {
    return this.simd(0x0b, ...this.memarg(4, offset));
  }
  v128_const_zero(): this {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  i8x16_shuffle(lanes: number[]): this {
    return this.simd(0x0d, ...lanes);
  }
  f32x4_splat(): this {
    return this.simd(0x13);
  }
  f32x4_extract_lane(lane: number): this {
    return this.simd(0x1f, lane);
  }
  f64x2_extract_lane(lane: number): this {
    return this.simd(0x21, lane);
  }

  // SIMD comparisons and bitwise operations.
  f32x4_eq(): this {
    return this.simd(0x41);
  }
  f32x4_gt(): this {
    return this.simd(0x44);
  }
  v128_not(): this {
    return this.simd(0x4d);
  }
  v128_and(): this {
    return this.simd(0x4e);
  }
  v128_andnot(): this {
    return this.simd(0x4f);
  }
  v128_or(): this {
    return this.simd(0x50);
  }
  /** (a, b, mask) -> lanes of a where mask bits are 1, else b. */
  v128_bitselect(): this {
    return this.simd(0x52);
  }

  // SIMD float arithmetic.
  f64x2_promote_low_f32x4(): this {
    return this.simd(0x5f);
  }
  f32x4_neg(): this {
    return this.simd(0xe1);
  }
  f32x4_add(): this {
    return this.simd(0xe4);
  }
  f32x4_sub(): this {
    return this.simd(0xe5);
  }
  f32x4_mul(): this {
    return this.simd(0xe6);
  }
  f32x4_max(): this {
    return this.simd(0xe9);
  }
  /** max without NaN propagation: b < a ? a : b. */
  f32x4_pmax(): this {
    return this.simd(0xeb);
  }
  f64x2_add(): this {
    return this.simd(0xf0);
  }
}

interface FunctionDefinition {
  name: string;
  params: ValueType[];
  emitter: CodeEmitter;
}

/** A module with one imported memory and exported functions of i32/f32 parameters, no results. */
export class WasmModuleBuilder {
  private readonly functions: FunctionDefinition[] = [];

  constructor(private readonly sharedMemory: boolean) {}

  /** Adds an exported function; `body` receives the emitter and the parameter locals 0..n-1. */
  addFunction(name: string, params: ValueType[], body: (code: CodeEmitter, ...params: Local[]) => void): void {
    const emitter = new CodeEmitter(params.length);
    body(emitter, ...params.map((_, i) => i));
    this.functions.push({ name, params, emitter });
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    // Types: one per function (no deduplication needed at this size).
    const types: number[] = [];
    unsignedLeb(this.functions.length, types);
    for (const f of this.functions) {
      types.push(0x60);
      unsignedLeb(f.params.length, types);
      for (const p of f.params) types.push(VALUE_TYPE_CODE[p]);
      types.push(0x00);
    }
    section(1, types, out);
    // Import: env.memory (min 1 page; shared memories must declare a maximum).
    const imports: number[] = [];
    unsignedLeb(1, imports);
    encodeName('env', imports);
    encodeName('memory', imports);
    imports.push(0x02);
    if (this.sharedMemory) {
      imports.push(0x03);
      unsignedLeb(1, imports);
      unsignedLeb(65536, imports);
    } else {
      imports.push(0x00);
      unsignedLeb(1, imports);
    }
    section(2, imports, out);
    const funcs: number[] = [];
    unsignedLeb(this.functions.length, funcs);
    this.functions.forEach((_, i) => unsignedLeb(i, funcs));
    section(3, funcs, out);
    const exports: number[] = [];
    unsignedLeb(this.functions.length, exports);
    this.functions.forEach((f, i) => {
      encodeName(f.name, exports);
      exports.push(0x00);
      unsignedLeb(i, exports);
    });
    section(7, exports, out);
    const code: number[] = [];
    unsignedLeb(this.functions.length, code);
    for (const f of this.functions) {
      const body = [...f.emitter.encodedLocals(), ...f.emitter.bytes, 0x0b];
      unsignedLeb(body.length, code);
      for (const b of body) code.push(b);
    }
    section(10, code, out);
    return new Uint8Array(out);
  }
}
