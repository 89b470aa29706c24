// Progress line for long runs: only on a terminal, so files and pipes get clean output.
import type { Progress } from './scenario.js';

export function terminalProgress(scenario: string, stream: NodeJS.WriteStream = process.stdout): Progress & { done(): void } {
  const tty = stream.isTTY === true;
  let last = 0;
  let shown = false;
  return {
    update(fraction, text) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 200 && fraction < 1) return;
      last = now;
      shown = true;
      const p = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
      const line = `${scenario}: ${String(p).padStart(3)} % ${text}`;
      stream.write(`\r${line.slice(0, (stream.columns || 80) - 1).padEnd((stream.columns || 80) - 1)}`);
    },
    done() {
      if (tty && shown) stream.write(`\r${' '.repeat((stream.columns || 80) - 1)}\r`);
    },
  };
}

/** Sleeps `seconds`, reporting progress from `from` to `to` of the scenario. */
export async function waitWithProgress(progress: Progress, seconds: number, text: string, from = 0, to = 1): Promise<void> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const left = end - Date.now();
    if (left <= 0) break;
    progress.update(from + (to - from) * (1 - left / (seconds * 1000)), text);
    await new Promise((r) => setTimeout(r, Math.min(250, left)));
  }
}
