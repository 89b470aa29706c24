// Resources a benchmark must not leave behind (namespaces, child processes): registered here so
// the harness can release them on SIGINT/SIGTERM as well as on normal completion.
type Cleanup = () => void;
const cleanups = new Set<Cleanup>();

/** Registers a synchronous cleanup; returns a function that unregisters it. */
export function onCleanup(fn: Cleanup): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Runs every registered cleanup once (later registrations first). */
export function cleanupBenchResources(): void {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      // keep releasing the rest
    }
  }
}
