/**
 * A bench-only Worker that runs the CRC benchmark inside workerd
 * (bench/checksums.ts starts it under Miniflare). Time inside a Worker only
 * advances across I/O, so each measured batch ends with a trivial awaited
 * timer before the clock is read.
 */
import { runChecksumBench } from "./checksums-suite.ts";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export default {
  async fetch(): Promise<Response> {
    return Response.json(
      await runChecksumBench(async () => {
        await tick();
        return Date.now();
      }),
    );
  },
};
