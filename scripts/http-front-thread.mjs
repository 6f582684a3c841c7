// Runs the HTTP front (http-front.mjs) in a worker thread, started by
// `startHttpFrontThread`. Relaying a body allocates a buffer per 64 KiB read;
// in a thread of its own the front has a small heap, so collecting them is
// cheap, and its event loop never waits on the runner's.
import { parentPort, workerData } from "node:worker_threads";
import { startHttpFront } from "./http-front.mjs";

const server = await startHttpFront(workerData);
parentPort.postMessage({ address: server.address() });
parentPort.on("message", (message) => {
  if (message === "close") server.close(() => parentPort.close());
});
