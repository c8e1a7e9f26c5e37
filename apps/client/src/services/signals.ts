/**
 * Calls `onStop` on the first SIGINT/SIGTERM and `onForce` on a later one. A repeat within `debounceMs` counts as
 * the same request: in a terminal, Ctrl-C reaches both the launcher (which forwards it) and this process.
 * Returns a function that removes the handlers.
 */
export function onTerminationSignals(
  onStop: (signal: NodeJS.Signals) => void,
  onForce: (signal: NodeJS.Signals) => void,
  debounceMs = 1000,
): () => void {
  let firstAt: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      onStop(signal);
    } else if (now - firstAt > debounceMs) {
      onForce(signal);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
