/** A store's refusal of a write on someone's content, answered as DRF answers it. */
import type { ContentOutcome } from "../store";
import { NotFound, PermissionDenied } from "./errors";

/** Unknown or hidden by a block: 404, before another's: 403 (the store wrote nothing for either). */
export function refuseUnlessDone<T extends object>(result: ContentOutcome<T>): asserts result is { outcome: "done" } & T {
  if (result.outcome === "not_found") throw new NotFound();
  if (result.outcome === "forbidden") throw new PermissionDenied();
}
