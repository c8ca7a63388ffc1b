/**
 * The order of a notification list, shared by both engines: unread first, then newest, as one
 * number per entry (its `position`) so that the cursors of every other list serve it. An unread
 * notification's position is its id plus UNREAD, above every read one's (its id). A page reads
 * the caller's rows of the index (recipient_id, read, id) as at most two ranges (`inboxRanges`),
 * and leaves out those of actors the caller mutes or shares a block with: so that a muted actor's
 * thousands of rows never make one page read thousands, each range reads at most a window of
 * `inboxWindow(limit)` rows, and a page that found too few visible ones in it ends there, with the
 * position the window reached (`frontier`) to go on from.
 */
import type { Entry, ListCursor } from "./social";

/** Above every id (ids stay below 9 * 10^14, so positions fit a cursor's 15 digits). */
export const UNREAD = 100_000_000_000_000;

export const inboxPosition = (read: boolean, id: number) => (read ? id : UNREAD + id);

/** One range of the index: the caller's `read` (or unread) rows beyond `after` (if any), in `descending` id order or not. */
export interface InboxRange {
  read: boolean;
  after?: { op: "<" | ">"; id: number };
  descending: boolean;
}

/** Rows a page's range reads at most: ten times the page, so a page stays O(page) whatever the caller mutes. */
export const inboxWindow = (limit: number) => 10 * (limit + 1);

/**
 * The ranges a page reads from `cursor`, in order: forward (older, then read) from an unread
 * position, the older unread rows then every read one; from a read position, the older read
 * ones. Backward (towards the top), the mirror.
 */
export function inboxRanges(cursor: ListCursor | undefined): InboxRange[] {
  if (!cursor) return [{ read: false, descending: true }, { read: true, descending: true }];
  const unread = cursor.id >= UNREAD;
  const id = unread ? cursor.id - UNREAD : cursor.id;
  if (cursor.forward) {
    return unread
      ? [{ read: false, after: { op: "<", id }, descending: true }, { read: true, descending: true }]
      : [{ read: true, after: { op: "<", id }, descending: true }];
  }
  return unread
    ? [{ read: false, after: { op: ">", id }, descending: false }]
    : [{ read: true, after: { op: ">", id }, descending: false }, { read: false, descending: false }];
}

/** What one range gave: its visible entries (at most limit + 1) and how far its window went. */
export interface InboxRangeResult<T> {
  entries: Entry<T>[];
  /** Rows of the window read (visible or not). */
  scanned: number;
  /** The position of the window's last row, when it read any. */
  reached: number | null;
}

/**
 * A page from its ranges' results (in `inboxRanges` order): their visible entries in turn, up to
 * `limit + 1`; when a range's window ran out first, the page ends at the position it reached.
 */
export function inboxPage<T>(results: InboxRangeResult<T>[], limit: number): { entries: Entry<T>[]; frontier?: number } {
  const entries: Entry<T>[] = [];
  const window = inboxWindow(limit);
  for (const result of results) {
    entries.push(...result.entries);
    if (entries.length > limit) return { entries: entries.slice(0, limit + 1) };
    if (result.scanned >= window && result.reached !== null) return { entries, frontier: result.reached };
  }
  return { entries };
}
