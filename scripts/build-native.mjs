#!/usr/bin/env node
// Builds the optional native helper (native-timer/) with node-gyp.
// A failed build never fails `npm install`: the device then runs on the pure-JS fallback
// and says once, at start, what precision is lost.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addonDir = join(root, 'native-timer');
const force = process.argv.includes('--force');

if (process.env.INFERNO_SKIP_NATIVE_BUILD === '1' && !force) {
  console.log('inferno-aoip: INFERNO_SKIP_NATIVE_BUILD=1, not building the native helper');
  process.exit(0);
}

// npm exports the path of its bundled node-gyp to lifecycle scripts; otherwise look beside npm.
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  try {
    const req = createRequire(join(root, 'package.json'));
    candidates.push(req.resolve('node-gyp/bin/node-gyp.js'));
  } catch { /* not a dependency */ }
  const npmCli = process.env.npm_execpath;
  if (npmCli) candidates.push(join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  for (const prefix of ['/usr/lib', '/usr/local/lib', '/usr/share']) {
    candidates.push(join(prefix, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  return candidates.find((p) => p && existsSync(p));
}

const gyp = findNodeGyp();
if (!gyp) {
  console.warn('inferno-aoip: node-gyp not found; the native helper is not built (pure-JS fallback will be used)');
  process.exit(0);
}
// Outside npm (node scripts/build-native.mjs) no nodedir is configured and node-gyp would download
// headers; build against the running Node's own headers when they are installed beside it.
const args = [gyp, 'rebuild'];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const res = spawnSync(process.execPath, args, { cwd: addonDir, stdio: 'inherit' });
if (res.status !== 0) {
  console.warn('inferno-aoip: building the native helper failed; the pure-JS fallback will be used');
  process.exit(force ? 1 : 0);
}
