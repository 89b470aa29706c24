// ALSA PCMs over the addon's functions (native-timer/src/alsa.cc). libasound is loaded on first
// use, so a host without it only fails when ALSA is asked for, with one clear error.
import type { Addon, AlsaOpenOptions, AlsaPcm } from './types.js';

/** The soname of alsa-lib's runtime library (package libasound2). */
export const LIBASOUND = 'libasound.so.2';

function loadAlsa(addon: Addon, library = LIBASOUND): void {
  if (!addon.alsaLoad) throw new Error('ALSA is unavailable: this build of the native addon has no ALSA support (run npm run build:native)');
  const r = addon.alsaLoad(library);
  if (!r.ok) throw new Error(r.message);
}

export function openNativeAlsa(addon: Addon, opts: AlsaOpenOptions): AlsaPcm {
  loadAlsa(addon);
  const { alsaOpen, alsaInfo, alsaWrite, alsaRead, alsaStatus, alsaDiscard, alsaInjectXrun, alsaClose } = addon;
  const h = alsaOpen!(opts.pcm, opts.stream, opts.rate, opts.channels, opts.periodFrames, opts.bufferFrames, opts.ringFrames);
  let closed = false;
  return {
    info: alsaInfo!(h),
    write: (samples, frames) => alsaWrite!(h, samples, frames),
    read: (samples, maxFrames) => alsaRead!(h, samples, maxFrames),
    status: () => alsaStatus!(h),
    discard: (frames) => alsaDiscard!(h, frames),
    injectXrun: () => alsaInjectXrun!(h),
    close: (drain = false) => {
      if (!closed) alsaClose!(h, drain);
      closed = true;
    },
  };
}

export function takeAlsaMessages(addon: Addon): { messages: string[]; suppressed: number } {
  return addon.alsaTakeMessages ? addon.alsaTakeMessages() : { messages: [], suppressed: 0 };
}
