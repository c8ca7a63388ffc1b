/**
 * Cold start: a new workerd process on a bundle, timed from its start to the first answer, and
 * the first request alone (workerd compiles and runs the module's top level before it reports
 * ready, so most of a bundle's start-up cost sits in the first figure).
 */
interface Started {
  url: string;
  stop(): Promise<void>;
}

export interface ColdStart {
  /** Median ms from starting workerd to the first answer. */
  toFirstAnswer: number;
  /** Median ms of that first request alone. */
  firstRequest: number;
}

export async function coldStart(start: () => Promise<Started>, path: string, runs = 5): Promise<ColdStart> {
  const total: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const worker = await start();
    const asked = performance.now();
    const response = await fetch(`${worker.url}${path}`);
    await response.arrayBuffer();
    const answered = performance.now();
    await worker.stop();
    if (response.status >= 500) throw new Error(`cold start: ${path} answered ${response.status}`);
    total.push(answered - started);
    first.push(answered - asked);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { toFirstAnswer: median(total), firstRequest: median(first) };
}
