// `inferno` with no subcommand: the headless device server.
import { resolveDeviceConfig } from '../config/device-config.js';
import { loadSettings } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { DeviceEngine } from '../engine/device.js';
import { loadNative } from '../native/index.js';
import { configureLogging, getLogger } from '../log.js';
import { renderPrometheus } from '../status/metrics.js';
import { startStatusServer } from '../status/http.js';
import type { StatusServer } from '../status/http.js';
import { mainHelp } from './help.js';

/** Malloc arenas the device's threads share (glibc makes one per thread, each with its own free
 *  pages); the workers allocate little through malloc, so sharing costs nothing measurable. */
const MALLOC_ARENAS = 2;
/** After start-up, compilation and first allocations are done: give their memory back then. */
export const RELEASE_MEMORY_AFTER_MS = 3000;

/** Graceful stop must finish within this; past it the process exits anyway. */
export const STOP_DEADLINE_MS = 2000;

export async function runServer(argv: string[]): Promise<number> {
  let parsed;
  let config;
  try {
    parsed = loadSettings(argv);
    if (parsed.help) {
      process.stdout.write(mainHelp());
      return 0;
    }
    if (parsed.positionals.length) {
      throw new ConfigError('subcommand', parsed.positionals[0], 'no subcommand (see --help)');
    }
    configureLogging({ level: parsed.settings.logLevel, format: parsed.settings.logFormat });
    config = resolveDeviceConfig(parsed.settings);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`inferno: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const log = getLogger('main');

  const native = loadNative();
  native.limitMallocArenas(MALLOC_ARENAS);
  const device = await DeviceEngine.start(config);
  setTimeout(() => native.releaseMemory(), RELEASE_MEMORY_AFTER_MS).unref();
  let http: StatusServer | undefined;
  if (config.http) {
    try {
      http = await startStatusServer(config.http, {
        status: () => device.status(),
        metrics: () => renderPrometheus(device.metricSamples()),
      });
      log.info('status server listening', { url: `http://${config.http.host}:${http.address.port}/status` });
    } catch (err) {
      await device.stop();
      process.stderr.write(`inferno: invalid http: ${JSON.stringify(`${config.http.host}:${config.http.port}`)} (accepted: a free local address and port; ${(err as Error).message})\n`);
      return 2;
    }
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = async (code: number, why: string) => {
      if (stopping) return;
      stopping = true;
      log.info('stopping', { reason: why });
      const deadline = setTimeout(() => {
        log.error('stop took too long; exiting', { deadlineMs: STOP_DEADLINE_MS });
        process.exit(code || 1);
      }, STOP_DEADLINE_MS);
      deadline.unref();
      await Promise.allSettled([http?.close(), device.stop()]);
      clearTimeout(deadline);
      resolve(code);
    };
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) {
        // Second signal: the user wants out now.
        process.exit(sig === 'SIGINT' ? 130 : 143);
      }
      void shutdown(0, sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    device.on('names-changed', (names: { name?: string }) => log.info('names changed by a controller', { name: names.name }));
    device.on('restarted', (reason: string) => log.info('device engine restarted', { reason }));
    device.on('fatal', (err: Error) => {
      log.error('device failed', { error: err.message });
      void shutdown(1, 'fatal worker error');
    });
  });
}
