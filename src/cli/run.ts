// Subcommand dispatch. Each subcommand lives in its own module and returns an exit status.
export async function runCli(argv: string[]): Promise<number | void> {
  const [first] = argv;
  if (first === '--version' || first === '-V') {
    process.stdout.write('inferno-aoip 0.1.0\n');
    return 0;
  }
  if (first === 'bench') return (await import('./bench.js')).runBench(argv.slice(1));
  if (first === 'ctl') {
    const { runCtl } = await import('./ctl/index.js');
    return runCtl(argv.slice(1));
  }
  if (first === 'capture') return (await import('./capture.js')).runCapture(argv.slice(1));
  const { runServer } = await import('./server.js');
  return runServer(argv);
}
