// `inferno ctl`: a Dante controller on the command line. Returns the exit status: 0 done,
// 1 not found / timeout / refused, 2 bad arguments.
import { ConfigError } from '../../core/errors.js';
import { ArcStatusError } from '../../core/arc/index.js';
import { ArcRefusedError, ArcTimeoutError, arcStatusText, requestName } from '../../net/arc-client.js';
import { ConmonTimeoutError } from '../../net/control-client/conmon-client.js';
import { parseCtlArgs } from './args.js';
import type { CommandName, CtlOptions } from './args.js';
import { runChannels } from './channels.js';
import { CtlContext, DeviceNotFoundError, realDeps } from './context.js';
import type { CtlDeps } from './context.js';
import { ctlHelp } from './help.js';
import { runList } from './list.js';
import { runRename, runRenameChannel } from './rename.js';
import { runSubscribe, runUnsubscribe } from './routing.js';
import { SettingRefusedError, runIdentify, runSet } from './settings.js';

export { realDeps } from './context.js';
export type { CtlDeps } from './context.js';

const RUN: Record<CommandName, (ctx: CtlContext, o: CtlOptions) => Promise<number>> = {
  list: (ctx) => runList(ctx),
  channels: runChannels,
  subscribe: runSubscribe,
  unsubscribe: runUnsubscribe,
  rename: runRename,
  'rename-channel': runRenameChannel,
  set: runSet,
  identify: runIdentify,
};

/** One line for the errors a user can act on; anything else is a bug and keeps its stack. */
function describe(err: unknown): { code: number; message: string } | undefined {
  if (err instanceof ConfigError) return { code: 2, message: err.message };
  if (err instanceof ArcRefusedError) return { code: 1, message: err.message };
  if (err instanceof ArcStatusError) return { code: 1, message: `refused: the device answered ${requestName(err.opcode)} with status ${arcStatusText(err.status)}` };
  if (err instanceof ArcTimeoutError || err instanceof ConmonTimeoutError || err instanceof DeviceNotFoundError) return { code: 1, message: err.message };
  if (err instanceof SettingRefusedError) return { code: 1, message: `refused: ${err.message}` };
  return undefined;
}

export async function runCtl(argv: string[], deps: CtlDeps = realDeps): Promise<number> {
  let opts: CtlOptions;
  try {
    opts = parseCtlArgs(argv);
  } catch (err) {
    const d = describe(err);
    if (!d) throw err;
    deps.stderr(`inferno ctl: ${d.message}\n`);
    return d.code;
  }
  if (opts.help || !opts.command) {
    deps.stdout(ctlHelp(opts.command));
    return opts.help ? 0 : 2;
  }
  let ctx: CtlContext | undefined;
  try {
    ctx = new CtlContext(deps, opts.interface, opts.timeoutMs, opts.json);
    return await RUN[opts.command](ctx, opts);
  } catch (err) {
    const d = describe(err);
    if (!d) throw err;
    deps.stderr(`inferno ctl: ${d.message}\n`);
    return d.code;
  } finally {
    await ctx?.close();
  }
}
