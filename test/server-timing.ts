/**
 * The storage calls a response reports in Server-Timing (SERVER_TIMING=1 in the tests), on the
 * engine serving the test file: D1 round trips (`d1;dur=<ms>;desc="<n>"`, a batch counts once,
 * then `d1-rows-read`) or PostgreSQL statements (`pg;dur=<ms>;desc="<n>"`, BEGIN and COMMIT
 * count). The whole header is matched, so the other engine's metric never passes for this one's.
 */
import { expect } from "vitest";
import { ENGINE } from "./db";

const SHAPES = {
  d1: /^d1;dur=[\d.]+;desc="(\d+)",d1-rows-read;dur=[\d.]+,total;dur=[\d.]+;desc="total"$/,
  postgres: /^pg;dur=[\d.]+;desc="(\d+)",total;dur=[\d.]+;desc="total"$/,
};

export function storageCalls(headers: Headers): number {
  const header = headers.get("Server-Timing") ?? "no Server-Timing";
  const match = SHAPES[ENGINE].exec(header);
  expect(match, header).not.toBeNull();
  return Number(match![1]);
}
