/**
 * The PostgreSQL connection of one request: a `pg` client through the HYPERDRIVE binding, created
 * on the first query (a request that needs no data never connects) and never `end()`ed (in
 * workerd that cancels the stream under the pool's feet: the request's end closes it). Drizzle's
 * node-postgres driver runs over it. Work runs one unit at a time (`exclusive`), so a deferred
 * statement can never land inside another unit's transaction on the shared client.
 */
import { type NodePgDatabase, drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { UnsafeInteger } from "../errors";

/** Statements answered and milliseconds spent on them (connecting included), for Server-Timing. */
export interface Tally {
  count: number;
  ms: number;
}

export type Database = NodePgDatabase;

const INT8 = 20;

/** An int8 as a JavaScript number, refused (never rounded) beyond 2^53. */
export function safeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new UnsafeInteger(text);
  return value;
}

interface TypeParsers {
  getTypeParser(oid: number, format?: string): (value: string) => unknown;
}

/**
 * Type parsers with int8 read as a safe number. Drizzle gives each of its queries parsers of its
 * own (timestamps kept as text) that fall back on pg's global ones, not the client's: so the
 * int8 parser is put in front of whatever parsers a query carries.
 */
function withInt8(types: TypeParsers = pg.types): TypeParsers {
  return { getTypeParser: (oid, format) => (oid === INT8 ? safeInteger : types.getTypeParser(oid, format)) };
}

type QueryConfig = { text: string; types?: TypeParsers } & Record<string, unknown>;

type WriteCallback = (error?: Error | null) => void;
interface Writable {
  write(data: Uint8Array | string, encodingOrCallback?: string | WriteCallback, callback?: WriteCallback): boolean;
}

/**
 * Sends the messages written in one tick in one write. pg writes each message of the extended
 * protocol (Parse, Bind, Describe, Execute, Sync) on its own; where small segments wait for the
 * previous one's acknowledgement (Nagle's algorithm meeting delayed ACKs, as through Miniflare's
 * local Hyperdrive proxy), every statement with parameters then stalled about 40 ms.
 */
export function coalesceWrites(stream: Writable): void {
  const write = stream.write.bind(stream);
  let chunks: Uint8Array[] = [];
  let callbacks: WriteCallback[] = [];
  stream.write = (data, encodingOrCallback, callback) => {
    const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
    const encoding = typeof encodingOrCallback === "string" ? (encodingOrCallback as BufferEncoding) : "utf8";
    chunks.push(typeof data === "string" ? Buffer.from(data, encoding) : data);
    if (done) callbacks.push(done);
    if (chunks.length === 1) {
      queueMicrotask(() => {
        const [batch, waiting] = [chunks, callbacks];
        [chunks, callbacks] = [[], []];
        write(Buffer.concat(batch), (error?: Error | null) => {
          for (const callback of waiting) callback(error);
        });
      });
    }
    return true;
  };
}

export class Connection {
  #client?: Promise<pg.Client>;
  #tail: Promise<unknown> = Promise.resolve();
  readonly #db: Database;

  constructor(
    private readonly connectionString: string,
    private readonly tally?: Tally,
  ) {
    const client = { query: (config: string | QueryConfig, values?: unknown[]) => this.#query(config, values) };
    this.#db = drizzle({ client: client as unknown as pg.Client });
  }

  /** Runs `work` alone on the connection: units queue behind one another, never interleave. */
  exclusive<T>(work: (db: Database) => Promise<T>): Promise<T> {
    const run = this.#tail.then(() => work(this.#db));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Closes the connection once the work queued before has run (Node scripts, tests that make many
   * stores in one context). Never in a request: its end closes the connection (see the top).
   */
  close(): Promise<void> {
    return this.exclusive(async () => {
      const client = await this.#client?.catch(() => undefined);
      this.#client = Promise.reject(new Error("connection closed"));
      this.#client.catch(() => undefined);
      await client?.end();
    });
  }

  #connect(): Promise<pg.Client> {
    this.#client ??= this.#timed(async () => {
      const client = new pg.Client({ connectionString: this.connectionString, types: withInt8() });
      coalesceWrites((client as unknown as { connection: { stream: Writable } }).connection.stream);
      // A connection lost while idle is an 'error' event: without a listener it would be thrown
      // at the top level. The next query on it fails and says so.
      client.on("error", () => {});
      await client.connect();
      return client;
    });
    return this.#client;
  }

  async #query(config: string | QueryConfig, values?: unknown[]) {
    const client = await this.#connect();
    const query = typeof config === "string" ? { text: config } : config;
    try {
      return await this.#timed(() => client.query({ ...query, types: withInt8(query.types) }, values));
    } finally {
      // Counted once answered, as D1's round trips are: work deferred past the response (a
      // login's bookkeeping) is not the request's, whichever engine serves it.
      if (this.tally) this.tally.count += 1;
    }
  }

  async #timed<T>(work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      if (this.tally) this.tally.ms += Date.now() - started;
    }
  }
}
