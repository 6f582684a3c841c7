/**
 * Ctrl-C and SIGTERM: the first one aborts the shared signal, so transfers
 * stop, multipart uploads in flight are aborted and temporary files removed;
 * a second one exits at once.
 */

let controller: AbortController | undefined;

/** The process-wide abort signal, with SIGINT/SIGTERM handlers installed on first use. */
export function interruptSignal(): AbortSignal {
  if (controller) return controller.signal;
  const current = new AbortController();
  controller = current;
  const onSignal = (signal: NodeJS.Signals) => {
    if (current.signal.aborted) process.exit(signal === "SIGINT" ? 130 : 143);
    current.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return current.signal;
}
