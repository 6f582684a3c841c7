/**
 * A bench-only Worker that runs the erasure benchmark inside workerd
 * (bench/erasure.ts starts it under Miniflare). Time inside a Worker only
 * advances across I/O, so each measured batch ends with a trivial awaited
 * timer before the clock is read.
 */
import "../shared/erasure/wasm-workerd.ts";
import { runErasureBench } from "./erasure-suite.ts";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export default {
  async fetch(): Promise<Response> {
    return Response.json(
      await runErasureBench(async () => {
        await tick();
        return Date.now();
      }),
    );
  },
};
