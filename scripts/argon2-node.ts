/** Loads the argon2 WebAssembly module for Node scripts, as src/index.ts does for the Worker. */
import argon2Wasm from "@phi-ag/argon2/argon2.wasm";
import { loadArgon2 } from "../src/auth/passwords/argon2";

loadArgon2(argon2Wasm);
