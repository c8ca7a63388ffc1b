/**
 * Starts the local siteverify (./server.ts) once for the run, on the port vitest.config.ts chose
 * (TEST_SITEVERIFY_PORT): the d1 and postgres projects both name this setup, and share the server.
 */
import type { Server } from "node:http";
import { startSiteverify } from "./server";

const shared = globalThis as { siteverify?: { server: Promise<Server>; users: number } };

export async function setup() {
  shared.siteverify ??= { server: startSiteverify(Number(process.env.TEST_SITEVERIFY_PORT)), users: 0 };
  shared.siteverify.users += 1;
  await shared.siteverify.server;
}

export async function teardown() {
  const running = shared.siteverify;
  if (!running || --running.users > 0) return;
  shared.siteverify = undefined;
  const server = await running.server;
  await new Promise((done) => server.close(done));
}
