/**
 * Raw argon2 over the WASM build of the reference implementation.
 *
 * We call the module's exports directly instead of its JS wrapper because the wrapper passes
 * `password.length` (UTF-16 units) as the byte length, which silently truncates non-ASCII
 * passwords. Hashing is synchronous and there is one instance per isolate, so at most one
 * 19 MiB working area ever exists, however many logins arrive at once.
 */
export type Argon2Variant = "argon2d" | "argon2i" | "argon2id";

export interface Argon2Params {
  variant: Argon2Variant;
  version: 16 | 19;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

interface Argon2Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  argon2_hash(
    t: number, m: number, p: number,
    pwd: number, pwdLen: number, salt: number, saltLen: number,
    hash: number, hashLen: number, encoded: number, encodedLen: number,
    type: number, version: number,
  ): number;
}

const VARIANT_CODES: Record<Argon2Variant, number> = { argon2d: 0, argon2i: 1, argon2id: 2 };

let argon2Module: WebAssembly.Module | undefined;
let instance: Argon2Exports | undefined;

/**
 * Supplies the compiled module: the Worker imports the `.wasm` file as a module (Workers cannot
 * compile WebAssembly from bytes), the Node scripts compile it from the file.
 */
export function loadArgon2(module: WebAssembly.Module): void {
  argon2Module ??= module;
}

function exportsOf(): Argon2Exports {
  if (!instance) {
    if (!argon2Module) throw new Error("argon2: loadArgon2() was not called");
    const created = new WebAssembly.Instance(argon2Module, {});
    instance = created.exports as unknown as Argon2Exports;
    instance._initialize();
  }
  return instance;
}

/** Computes the raw argon2 digest of `password` (UTF-8) with `salt`. */
export function argon2Raw(password: Uint8Array, salt: Uint8Array, hashLength: number, params: Argon2Params): Uint8Array {
  const wasm = exportsOf();
  const pwd = wasm.malloc(Math.max(password.length, 1));
  const slt = wasm.malloc(salt.length);
  const out = wasm.malloc(hashLength);
  try {
    new Uint8Array(wasm.memory.buffer).set(password, pwd);
    new Uint8Array(wasm.memory.buffer).set(salt, slt);
    const code = wasm.argon2_hash(
      params.iterations, params.memoryKiB, params.parallelism,
      pwd, password.length, slt, salt.length, out, hashLength, 0, 0,
      VARIANT_CODES[params.variant], params.version,
    );
    if (code !== 0) throw new Error(`argon2_hash failed with code ${code}`);
    return new Uint8Array(wasm.memory.buffer).slice(out, out + hashLength);
  } finally {
    // Wipe the password copy before handing the memory back.
    new Uint8Array(wasm.memory.buffer).fill(0, pwd, pwd + password.length);
    wasm.free(pwd);
    wasm.free(slt);
    wasm.free(out);
  }
}

/** Bytes of linear memory the instance holds now (it grows to fit one hash and never shrinks). */
export function argon2MemoryBytes(): number {
  return instance ? instance.memory.buffer.byteLength : 0;
}
