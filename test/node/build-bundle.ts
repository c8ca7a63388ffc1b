// Builds dist/ once for the Node tests, exactly as `wrangler deploy` bundles it.
import { buildBundle } from "../../scripts/local-worker.mjs";

export default function setup() {
  buildBundle();
}
