/** Reads a line from the terminal without echoing it (for passwords). */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";

export async function askHidden(question: string): Promise<string> {
  process.stdout.write(question);
  let muted = true;
  const silent = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const reader = createInterface({ input: process.stdin, output: silent, terminal: process.stdin.isTTY });
  const answer = await new Promise<string>((resolve) => reader.question("", resolve));
  muted = false;
  reader.close();
  process.stdout.write("\n");
  return answer;
}
