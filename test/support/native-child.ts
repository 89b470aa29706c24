// Runs a short ES-module snippet in a child node process with `native` bound to loadNative() and
// `status` to nativeStatus(); the snippet's last JSON line on stdout is returned parsed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const INDEX = fileURLToPath(new URL('../../dist/native/index.js', import.meta.url));

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  /** Prefix command, e.g. ['setpriv', '--bounding-set=-all', ...] to drop capabilities. */
  wrap?: string[];
}

export function runNative<T>(body: string, opts: ChildOptions = {}): { result: T; stderr: string } {
  const code = `import { loadNative, nativeStatus } from ${JSON.stringify(INDEX)};
const native = loadNative(); const status = nativeStatus();
${body}`;
  const argv = [...(opts.wrap ?? []), process.execPath, '--input-type=module', '-e', code];
  const r = spawnSync(argv[0]!, argv.slice(1), { env: opts.env ?? process.env, encoding: 'utf8', timeout: 30_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return { result: JSON.parse(line) as T, stderr: r.stderr };
}
