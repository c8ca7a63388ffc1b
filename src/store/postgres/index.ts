/** The PostgreSQL engine (through Hyperdrive): see ./store.ts. */
export { createPostgresStore, openPostgresStore } from "./store";
export type { Tally } from "./client";
