// Headless device server (filled in by the engine-foundation work).
export async function runServer(_argv: string[]): Promise<number> {
  process.stderr.write('inferno: the device server is being built\n');
  return 1;
}
