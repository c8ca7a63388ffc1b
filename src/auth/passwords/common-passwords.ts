/** Django's common-password list, inflated once per isolate on first use. */
import gzipped from "./common-passwords.txt.gz";

let list: Promise<Set<string>> | undefined;

async function inflate(): Promise<Set<string>> {
  const stream = new Response(gzipped).body!.pipeThrough(new DecompressionStream("gzip"));
  const text = await new Response(stream).text();
  return new Set(text.split("\n").map((line) => line.trim()).filter(Boolean));
}

/** Compared as Django does: lowercased and stripped. */
export async function isCommonPassword(password: string): Promise<boolean> {
  list ??= inflate();
  return (await list).has(password.toLowerCase().trim());
}
