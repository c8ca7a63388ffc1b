/**
 * Counts D1 round trips and the time spent waiting on them, for Server-Timing: every statement
 * run (`first`/`all`/`run`/`raw`) is one, and a `batch()` is one however many statements it holds.
 * Only installed when SERVER_TIMING=1, so production pays nothing for it.
 */

export interface RoundTrips {
  count: number;
  ms: number;
  /** Rows D1 reports reading (its `meta.rows_read`; batches and all/run carry it, first/raw do not). */
  rowsRead: number;
}

type D1Like = D1Database | D1DatabaseSession;

const RUNS = new Set(["first", "all", "run", "raw"]);

export function countingD1<T extends D1Like>(d1: T, tally: RoundTrips): T {
  const originals = new WeakMap<object, D1PreparedStatement>();
  const measure = async <R>(work: () => Promise<R>): Promise<R> => {
    const started = Date.now();
    try {
      const result = await work();
      for (const part of Array.isArray(result) ? result : [result]) tally.rowsRead += (part as Partial<D1Result> | null)?.meta?.rows_read ?? 0;
      return result;
    } finally {
      tally.count += 1;
      tally.ms += Date.now() - started;
    }
  };
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        if (property === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        const value = Reflect.get(target, property, target);
        if (typeof property === "string" && RUNS.has(property)) {
          return (...args: unknown[]) => measure(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };
  return new Proxy(d1, {
    get(target, property) {
      if (property === "prepare") return (sql: string) => wrap(target.prepare(sql));
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) =>
          measure(() => target.batch(statements.map((statement) => originals.get(statement) ?? statement)));
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
