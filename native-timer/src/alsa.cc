// ALSA PCM playback and capture. libasound is opened with dlopen at run time, so the build needs
// no ALSA headers and a host without libasound only fails when ALSA is asked for.
//
// Each open PCM gets its own native I/O thread that moves frames between an in-process ring of
// interleaved s32 frames and the PCM (snd_pcm_writei/readi, waiting in snd_pcm_wait). JS only
// copies into or out of that ring (never blocks), so the packet loops never wait on the card.
// A native thread was chosen over a Node worker doing blocking writes: no extra V8 isolate, no
// message round trips per period, and the thread can sleep inside ALSA while JS keeps running.
// The thread never calls into JS: counters are atomics, and JS polls status and log messages.
// One file like every other area of the addon: the libasound table, the I/O thread and the JS
// functions, in that order.
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common.h"

namespace inferno {
namespace {

// ---- The parts of alsa-lib's public API we use (alsa/pcm.h, alsa/error.h, alsa/global.h). ----
struct snd_pcm_t;
struct snd_pcm_hw_params_t;
struct snd_pcm_sw_params_t;
using snd_pcm_uframes_t = unsigned long;
using snd_pcm_sframes_t = long;
// snd_pcm_stream_t
constexpr int SND_PCM_STREAM_PLAYBACK = 0;
constexpr int SND_PCM_STREAM_CAPTURE = 1;
// snd_pcm_access_t
constexpr int SND_PCM_ACCESS_RW_INTERLEAVED = 3;
// snd_pcm_format_t
constexpr int SND_PCM_FORMAT_S16_LE = 2;
constexpr int SND_PCM_FORMAT_S24_LE = 6;
constexpr int SND_PCM_FORMAT_S32_LE = 10;
constexpr int SND_PCM_FORMAT_FLOAT_LE = 14;
// snd_pcm_open mode: transfers return -EAGAIN instead of blocking (we wait with snd_pcm_wait).
constexpr int SND_PCM_NONBLOCK = 1;
// snd_pcm_type_t: the ones without a clock of their own.
constexpr int SND_PCM_TYPE_FILE = 3;
constexpr int SND_PCM_TYPE_NULL = 4;
// snd_lib_error_handler_t
using ErrorHandler = void (*)(const char* file, int line, const char* function, int err, const char* fmt, ...);

struct Lib {
  int (*open)(snd_pcm_t**, const char*, int, int);
  int (*close)(snd_pcm_t*);
  int (*type)(snd_pcm_t*);
  int (*hwMalloc)(snd_pcm_hw_params_t**);
  void (*hwFree)(snd_pcm_hw_params_t*);
  int (*hwAny)(snd_pcm_t*, snd_pcm_hw_params_t*);
  int (*hwSetAccess)(snd_pcm_t*, snd_pcm_hw_params_t*, int);
  int (*hwTestFormat)(snd_pcm_t*, snd_pcm_hw_params_t*, int);
  int (*hwSetFormat)(snd_pcm_t*, snd_pcm_hw_params_t*, int);
  int (*hwSetChannels)(snd_pcm_t*, snd_pcm_hw_params_t*, unsigned);
  int (*hwGetChannelsMin)(const snd_pcm_hw_params_t*, unsigned*);
  int (*hwGetChannelsMax)(const snd_pcm_hw_params_t*, unsigned*);
  int (*hwSetRateNear)(snd_pcm_t*, snd_pcm_hw_params_t*, unsigned*, int*);
  int (*hwSetPeriodNear)(snd_pcm_t*, snd_pcm_hw_params_t*, snd_pcm_uframes_t*, int*);
  int (*hwSetBufferNear)(snd_pcm_t*, snd_pcm_hw_params_t*, snd_pcm_uframes_t*);
  int (*hwApply)(snd_pcm_t*, snd_pcm_hw_params_t*);
  int (*hwGetPeriod)(const snd_pcm_hw_params_t*, snd_pcm_uframes_t*, int*);
  int (*hwGetBuffer)(const snd_pcm_hw_params_t*, snd_pcm_uframes_t*);
  int (*swMalloc)(snd_pcm_sw_params_t**);
  void (*swFree)(snd_pcm_sw_params_t*);
  int (*swCurrent)(snd_pcm_t*, snd_pcm_sw_params_t*);
  int (*swSetStart)(snd_pcm_t*, snd_pcm_sw_params_t*, snd_pcm_uframes_t);
  int (*swApply)(snd_pcm_t*, snd_pcm_sw_params_t*);
  snd_pcm_sframes_t (*writei)(snd_pcm_t*, const void*, snd_pcm_uframes_t);
  snd_pcm_sframes_t (*readi)(snd_pcm_t*, void*, snd_pcm_uframes_t);
  int (*recover)(snd_pcm_t*, int, int);
  int (*delay)(snd_pcm_t*, snd_pcm_sframes_t*);
  snd_pcm_sframes_t (*avail)(snd_pcm_t*);
  int (*drop)(snd_pcm_t*);
  int (*wait)(snd_pcm_t*, int);
  const char* (*strerror)(int);
  int (*setErrorHandler)(ErrorHandler);
  const char* (*version)();
};

Lib lib;
std::once_flag libOnce;
std::string libError;  // empty once loaded

// ---- ALSA's own error output, routed to our log: a bounded queue JS drains, rate-limited. ----
constexpr size_t kMaxQueued = 64;
constexpr int kMessagesPerSecond = 10;
std::mutex msgMutex;
std::deque<std::string> messages;
uint64_t suppressed = 0;
std::chrono::steady_clock::time_point windowStart;
int windowCount = 0;

void OnAlsaError(const char* file, int line, const char* function, int err, const char* fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  std::string m = std::string(function ? function : "?") + ": " + text;
  if (err != 0 && lib.strerror) m += std::string(" (") + lib.strerror(err) + ")";
  (void)file;
  (void)line;
  std::lock_guard<std::mutex> g(msgMutex);
  auto now = std::chrono::steady_clock::now();
  if (now - windowStart >= std::chrono::seconds(1)) {
    windowStart = now;
    windowCount = 0;
  }
  if (windowCount >= kMessagesPerSecond || messages.size() >= kMaxQueued) {
    suppressed++;
    return;
  }
  windowCount++;
  messages.push_back(std::move(m));
}

template <typename T>
bool Sym(void* h, const char* name, T* out, std::string* missing) {
  void* p = dlsym(h, name);
  if (!p) {
    *missing = name;
    return false;
  }
  *out = reinterpret_cast<T>(p);
  return true;
}

void LoadLib(const std::string& name) {
  void* h = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = dlerror();
    libError = "ALSA is unavailable: " + name + " could not be loaded (" + (e ? e : "unknown error") +
               "); install libasound2";
    return;
  }
  std::string m;
  bool ok = Sym(h, "snd_pcm_open", &lib.open, &m) && Sym(h, "snd_pcm_close", &lib.close, &m) &&
            Sym(h, "snd_pcm_type", &lib.type, &m) && Sym(h, "snd_pcm_hw_params_malloc", &lib.hwMalloc, &m) &&
            Sym(h, "snd_pcm_hw_params_free", &lib.hwFree, &m) && Sym(h, "snd_pcm_hw_params_any", &lib.hwAny, &m) &&
            Sym(h, "snd_pcm_hw_params_set_access", &lib.hwSetAccess, &m) &&
            Sym(h, "snd_pcm_hw_params_test_format", &lib.hwTestFormat, &m) &&
            Sym(h, "snd_pcm_hw_params_set_format", &lib.hwSetFormat, &m) &&
            Sym(h, "snd_pcm_hw_params_set_channels", &lib.hwSetChannels, &m) &&
            Sym(h, "snd_pcm_hw_params_get_channels_min", &lib.hwGetChannelsMin, &m) &&
            Sym(h, "snd_pcm_hw_params_get_channels_max", &lib.hwGetChannelsMax, &m) &&
            Sym(h, "snd_pcm_hw_params_set_rate_near", &lib.hwSetRateNear, &m) &&
            Sym(h, "snd_pcm_hw_params_set_period_size_near", &lib.hwSetPeriodNear, &m) &&
            Sym(h, "snd_pcm_hw_params_set_buffer_size_near", &lib.hwSetBufferNear, &m) &&
            Sym(h, "snd_pcm_hw_params", &lib.hwApply, &m) &&
            Sym(h, "snd_pcm_hw_params_get_period_size", &lib.hwGetPeriod, &m) &&
            Sym(h, "snd_pcm_hw_params_get_buffer_size", &lib.hwGetBuffer, &m) &&
            Sym(h, "snd_pcm_sw_params_malloc", &lib.swMalloc, &m) && Sym(h, "snd_pcm_sw_params_free", &lib.swFree, &m) &&
            Sym(h, "snd_pcm_sw_params_current", &lib.swCurrent, &m) &&
            Sym(h, "snd_pcm_sw_params_set_start_threshold", &lib.swSetStart, &m) &&
            Sym(h, "snd_pcm_sw_params", &lib.swApply, &m) && Sym(h, "snd_pcm_writei", &lib.writei, &m) &&
            Sym(h, "snd_pcm_readi", &lib.readi, &m) && Sym(h, "snd_pcm_recover", &lib.recover, &m) &&
            Sym(h, "snd_pcm_delay", &lib.delay, &m) && Sym(h, "snd_pcm_avail", &lib.avail, &m) &&
            Sym(h, "snd_pcm_drop", &lib.drop, &m) && Sym(h, "snd_pcm_wait", &lib.wait, &m) &&
            Sym(h, "snd_strerror", &lib.strerror, &m) &&
            Sym(h, "snd_lib_error_set_handler", &lib.setErrorHandler, &m) &&
            Sym(h, "snd_asoundlib_version", &lib.version, &m);
  if (!ok) {
    libError = "ALSA is unavailable: " + name + " has no symbol " + m;
    dlclose(h);
    return;
  }
  // Process-wide: ALSA's messages no longer go to stderr.
  lib.setErrorHandler(OnAlsaError);
}

// The library is loaded once per process (function pointers are shared by every worker thread).
bool EnsureLib(const std::string& name) {
  std::call_once(libOnce, [&] { LoadLib(name); });
  return libError.empty();
}

const char* FormatName(int f) {
  switch (f) {
    case SND_PCM_FORMAT_S16_LE: return "S16_LE";
    case SND_PCM_FORMAT_S24_LE: return "S24_LE";
    case SND_PCM_FORMAT_S32_LE: return "S32_LE";
    case SND_PCM_FORMAT_FLOAT_LE: return "FLOAT_LE";
  }
  return "?";
}

size_t FormatBytes(int f) { return f == SND_PCM_FORMAT_S16_LE ? 2 : 4; }

// s32 full scale <-> the PCM's format. 16 and 24 bits truncate (the wire already carries at most 24).
void ToPcm(int format, const int32_t* in, void* out, size_t samples) {
  switch (format) {
    case SND_PCM_FORMAT_S32_LE: std::memcpy(out, in, samples * 4); break;
    case SND_PCM_FORMAT_S24_LE: {
      auto* o = static_cast<int32_t*>(out);
      for (size_t i = 0; i < samples; i++) o[i] = in[i] >> 8;
      break;
    }
    case SND_PCM_FORMAT_S16_LE: {
      auto* o = static_cast<int16_t*>(out);
      for (size_t i = 0; i < samples; i++) o[i] = static_cast<int16_t>(in[i] >> 16);
      break;
    }
    default: {
      auto* o = static_cast<float*>(out);
      for (size_t i = 0; i < samples; i++) o[i] = static_cast<float>(in[i] / 2147483648.0);
    }
  }
}

void FromPcm(int format, const void* in, int32_t* out, size_t samples) {
  switch (format) {
    case SND_PCM_FORMAT_S32_LE: std::memcpy(out, in, samples * 4); break;
    case SND_PCM_FORMAT_S24_LE: {
      auto* s = static_cast<const uint32_t*>(in);
      for (size_t i = 0; i < samples; i++) out[i] = static_cast<int32_t>(s[i] << 8);
      break;
    }
    case SND_PCM_FORMAT_S16_LE: {
      auto* s = static_cast<const int16_t*>(in);
      for (size_t i = 0; i < samples; i++) out[i] = static_cast<int32_t>(static_cast<uint32_t>(s[i]) << 16);
      break;
    }
    default: {
      auto* s = static_cast<const float*>(in);
      for (size_t i = 0; i < samples; i++) {
        double v = static_cast<double>(s[i]) * 2147483648.0;
        out[i] = v >= 2147483647.0 ? INT32_MAX : v <= -2147483648.0 ? INT32_MIN : static_cast<int32_t>(v);
      }
    }
  }
}

constexpr napi_type_tag kAlsaTag = {0x7a3c5e1f9b2d4468ULL, 0xa1c3e5f7092b4d6fULL};

struct AlsaPcm {
  snd_pcm_t* pcm = nullptr;
  std::string name;
  bool capture = false;
  int type = 0;
  bool clocked = true;
  int format = 0;
  unsigned rate = 0, channels = 0;
  snd_pcm_uframes_t period = 0, buffer = 0;
  // Ring of interleaved s32 frames between JS and the I/O thread.
  std::vector<int32_t> ring;
  size_t ringFrames = 0, head = 0, fill = 0;  // head = oldest frame
  std::mutex mu;
  std::condition_variable cv;
  std::thread io;
  bool stop = false;      // leave at once
  std::atomic<bool> halt{false};  // the same, readable while waiting on the PCM
  bool draining = false;  // playback: write what is left, then leave
  std::atomic<bool> injectXrun{false};
  std::atomic<uint64_t> xruns{0}, transferred{0}, dropped{0}, zeroFrames{0};
  std::atomic<int64_t> delay{0}, avail{0};
  std::atomic<int> lastError{0};
  std::atomic<bool> failed{false};
  bool closed = false;
};

// A failed transfer: recover (xrun = -EPIPE, suspend = -ESTRPIPE) and count; false if fatal.
bool Recover(AlsaPcm* p, int err) {
  if (err == -EPIPE || err == -ESTRPIPE) p->xruns++;
  int r = lib.recover(p->pcm, err, 1);
  if (r < 0) {
    p->lastError = r;
    p->failed = true;
    return false;
  }
  return true;
}

// Non-blocking PCM: wait for room or data, but at most kWaitMs so a stop is seen even when a card
// hangs (a blocking transfer could then never return, and closing would hang with it).
constexpr int kWaitMs = 50;
void WaitPcm(AlsaPcm* p) {
  int r = lib.wait(p->pcm, kWaitMs);
  if (r < 0) Recover(p, r);
}

void SampleDelay(AlsaPcm* p) {
  snd_pcm_sframes_t d = 0;
  if (lib.delay(p->pcm, &d) == 0) p->delay = d;
  snd_pcm_sframes_t a = lib.avail(p->pcm);
  if (a >= 0) p->avail = a;
}

void PlaybackLoop(AlsaPcm* p) {
  const size_t ch = p->channels;
  std::vector<int32_t> chunk(p->period * ch);
  std::vector<uint8_t> out(p->period * ch * FormatBytes(p->format));
  for (;;) {
    size_t n;
    {
      std::unique_lock<std::mutex> g(p->mu);
      p->cv.wait(g, [&] { return p->stop || p->fill > 0 || p->draining || p->injectXrun; });
      if (p->stop || (p->draining && p->fill == 0)) return;
      if (p->fill == 0) {
        g.unlock();
        if (p->injectXrun.exchange(false) && !Recover(p, -EPIPE)) return;
        continue;
      }
      n = std::min<size_t>(p->fill, p->period);
      n = std::min(n, p->ringFrames - p->head);  // contiguous part
      std::memcpy(chunk.data(), &p->ring[p->head * ch], n * ch * 4);
      p->head = (p->head + n) % p->ringFrames;
      p->fill -= n;
    }
    p->cv.notify_all();
    ToPcm(p->format, chunk.data(), out.data(), n * ch);
    size_t done = 0;
    const size_t fb = FormatBytes(p->format) * ch;
    while (done < n) {
      if (p->injectXrun.exchange(false)) {
        if (!Recover(p, -EPIPE)) return;
        continue;
      }
      snd_pcm_sframes_t w = lib.writei(p->pcm, out.data() + done * fb, n - done);
      if (w < 0) {
        if (w == -EAGAIN) {
          if (p->halt) return;
          WaitPcm(p);
          continue;
        }
        if (!Recover(p, static_cast<int>(w))) return;
        continue;
      }
      done += static_cast<size_t>(w);
      p->transferred += static_cast<uint64_t>(w);
      SampleDelay(p);
    }
  }
}

void CaptureLoop(AlsaPcm* p) {
  const size_t ch = p->channels;
  std::vector<uint8_t> in(p->period * ch * FormatBytes(p->format));
  std::vector<int32_t> chunk(p->period * ch);
  for (;;) {
    {
      std::unique_lock<std::mutex> g(p->mu);
      // Without a clock of its own (null, file) the PCM returns data at once: read only when JS
      // has made room, so the consumer's pace (the media clock) paces the capture. The ring stays
      // full, so JS can take a large step at once after a stall of its thread.
      if (!p->clocked) p->cv.wait(g, [&] { return p->stop || p->injectXrun || p->ringFrames - p->fill >= p->period; });
      if (p->stop) return;
    }
    if (p->injectXrun.exchange(false)) {
      if (!Recover(p, -EPIPE)) return;
      continue;
    }
    snd_pcm_sframes_t r = lib.readi(p->pcm, in.data(), p->period);
    if (r < 0) {
      if (r == -EAGAIN) {
        WaitPcm(p);
        continue;
      }
      if (!Recover(p, static_cast<int>(r))) return;
      continue;
    }
    size_t n = static_cast<size_t>(r);
    // The null plugin's capture data is undefined (uninitialised memory in alsa-lib 1.2.8): it is silence.
    if (p->type == SND_PCM_TYPE_NULL) std::memset(chunk.data(), 0, n * ch * 4);
    else FromPcm(p->format, in.data(), chunk.data(), n * ch);
    p->transferred += n;
    SampleDelay(p);
    {
      std::lock_guard<std::mutex> g(p->mu);
      size_t room = p->ringFrames - p->fill;
      size_t keep = std::min(room, n);
      if (keep < n) p->dropped += n - keep;  // JS fell behind a card that does not wait
      for (size_t i = 0; i < keep; i++) {
        size_t at = (p->head + p->fill) % p->ringFrames;
        std::memcpy(&p->ring[at * ch], &chunk[i * ch], ch * 4);
        p->fill++;
      }
    }
  }
}

std::string AlsaErr(const std::string& what, const std::string& pcm, int err) {
  return "ALSA " + what + " failed for PCM '" + pcm + "': " + (lib.strerror ? lib.strerror(err) : std::to_string(err));
}

// Negotiates the hardware parameters; returns an error text, or "" when done.
std::string Configure(AlsaPcm* p, unsigned wantRate, unsigned wantChannels, snd_pcm_uframes_t wantPeriod,
                      snd_pcm_uframes_t wantBuffer) {
  snd_pcm_hw_params_t* hw = nullptr;
  if (lib.hwMalloc(&hw) < 0) return "out of memory";
  std::string err;
  int r;
  do {
    if ((r = lib.hwAny(p->pcm, hw)) < 0) { err = AlsaErr("hw_params_any", p->name, r); break; }
    if ((r = lib.hwSetAccess(p->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0) { err = AlsaErr("interleaved access", p->name, r); break; }
    const int prefs[] = {SND_PCM_FORMAT_S32_LE, SND_PCM_FORMAT_S24_LE, SND_PCM_FORMAT_S16_LE, SND_PCM_FORMAT_FLOAT_LE};
    p->format = -1;
    for (int f : prefs) {
      if (lib.hwTestFormat(p->pcm, hw, f) == 0 && lib.hwSetFormat(p->pcm, hw, f) == 0) {
        p->format = f;
        break;
      }
    }
    if (p->format < 0) { err = "PCM '" + p->name + "' supports none of S32_LE, S24_LE, S16_LE, FLOAT_LE (try plughw:)"; break; }
    if (lib.hwSetChannels(p->pcm, hw, wantChannels) < 0) {
      unsigned lo = 0, hi = 0;
      lib.hwGetChannelsMin(hw, &lo);
      lib.hwGetChannelsMax(hw, &hi);
      err = "PCM '" + p->name + "' supports " + std::to_string(lo) + "-" + std::to_string(hi) + " channels, not " +
            std::to_string(wantChannels);
      break;
    }
    unsigned rate = wantRate;
    int dir = 0;
    if ((r = lib.hwSetRateNear(p->pcm, hw, &rate, &dir)) < 0) { err = AlsaErr("set rate", p->name, r); break; }
    if (rate != wantRate) {
      err = "PCM '" + p->name + "' does not run at " + std::to_string(wantRate) + " Hz (nearest " + std::to_string(rate) +
            " Hz; plughw: converts)";
      break;
    }
    snd_pcm_uframes_t period = wantPeriod, buffer = wantBuffer;
    dir = 0;
    if ((r = lib.hwSetPeriodNear(p->pcm, hw, &period, &dir)) < 0) { err = AlsaErr("set period size", p->name, r); break; }
    if ((r = lib.hwSetBufferNear(p->pcm, hw, &buffer)) < 0) { err = AlsaErr("set buffer size", p->name, r); break; }
    if ((r = lib.hwApply(p->pcm, hw)) < 0) { err = AlsaErr("hw_params", p->name, r); break; }
    dir = 0;
    lib.hwGetPeriod(hw, &p->period, &dir);
    lib.hwGetBuffer(hw, &p->buffer);
    p->rate = rate;
    p->channels = wantChannels;
  } while (false);
  lib.hwFree(hw);
  if (!err.empty() || p->capture) return err;
  // Playback starts once the buffer is full, not at the first frame (which would underrun at once).
  snd_pcm_sw_params_t* sw = nullptr;
  if (lib.swMalloc(&sw) < 0) return "out of memory";
  if ((r = lib.swCurrent(p->pcm, sw)) < 0 || (r = lib.swSetStart(p->pcm, sw, p->buffer)) < 0 ||
      (r = lib.swApply(p->pcm, sw)) < 0) {
    err = AlsaErr("sw_params", p->name, r);
  }
  lib.swFree(sw);
  return err;
}

void ClosePcm(AlsaPcm* p, bool drain) {
  if (p->closed) return;
  p->closed = true;
  {
    std::lock_guard<std::mutex> g(p->mu);
    if (drain && !p->capture) p->draining = true;
    else p->stop = true;
  }
  p->halt = p->stop;
  p->cv.notify_all();
  if (p->io.joinable()) p->io.join();
  if (p->pcm) {
    // After a drain, close alone lets plugins flush (the file plugin writes its last bytes then).
    if (!drain) lib.drop(p->pcm);
    lib.close(p->pcm);
    p->pcm = nullptr;
  }
}

AlsaPcm* Handle(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal() || !info[0].As<Napi::External<AlsaPcm>>().CheckTypeTag(&kAlsaTag)) {
    throw Napi::TypeError::New(info.Env(), "handle must be an ALSA PCM handle");
  }
  AlsaPcm* p = info[0].As<Napi::External<AlsaPcm>>().Data();
  if (p->closed) throw Napi::Error::New(info.Env(), "ALSA PCM '" + p->name + "' is closed");
  return p;
}

// alsaLoad(libraryName) -> { ok: true, version } | { ok: false, message }. Later names are ignored:
// the first load decides for the process.
Napi::Value AlsaLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = ArgString(info, 0, "libraryName");
  Napi::Object r = Napi::Object::New(env);
  if (!EnsureLib(name)) {
    r.Set("ok", false);
    r.Set("message", libError);
    return r;
  }
  r.Set("ok", true);
  r.Set("version", lib.version());
  return r;
}

// alsaOpen(pcm, stream, rate, channels, periodFrames, bufferFrames, ringFrames) -> handle; throws
// an Error naming the PCM on failure.
Napi::Value AlsaOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = ArgString(info, 0, "pcm");
  std::string stream = ArgString(info, 1, "stream");
  if (stream != "playback" && stream != "capture") throw Napi::TypeError::New(env, "stream must be playback or capture");
  unsigned rate = static_cast<unsigned>(ArgInteger(info, 2, "rate", 1, 1000000));
  unsigned channels = static_cast<unsigned>(ArgInteger(info, 3, "channels", 1, 1024));
  auto period = static_cast<snd_pcm_uframes_t>(ArgInteger(info, 4, "periodFrames", 16, 1 << 20));
  auto buffer = static_cast<snd_pcm_uframes_t>(ArgInteger(info, 5, "bufferFrames", 32, 1 << 22));
  auto ringFrames = static_cast<size_t>(ArgInteger(info, 6, "ringFrames", 64, 1 << 22));
  // The JS side loads first (alsaLoad); this keeps a direct call safe. libError is read only after
  // call_once, which orders it after the load in whichever thread ran it.
  if (!EnsureLib("libasound.so.2")) throw Napi::Error::New(env, libError);
  auto* p = new AlsaPcm();
  p->name = name;
  p->capture = stream == "capture";
  int r = lib.open(&p->pcm, name.c_str(), p->capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
  if (r < 0) {
    delete p;
    std::string m = "cannot open ALSA PCM '" + name + "' for " + stream + ": " + lib.strerror(r);
    if (r == -ENOENT) m += " (no PCM or card of that name; `aplay -L` lists them)";
    if (r == -EBUSY) m += " (in use by another program; dmix/dsnoop or a sound server can share it)";
    throw Napi::Error::New(env, m);
  }
  p->type = lib.type(p->pcm);
  p->clocked = p->type != SND_PCM_TYPE_NULL && p->type != SND_PCM_TYPE_FILE;
  std::string err = Configure(p, rate, channels, period, buffer);
  if (!err.empty()) {
    lib.close(p->pcm);
    delete p;
    throw Napi::Error::New(env, err);
  }
  p->ringFrames = std::max<size_t>(ringFrames, 2 * p->period);
  p->ring.assign(p->ringFrames * p->channels, 0);
  p->io = std::thread(p->capture ? CaptureLoop : PlaybackLoop, p);
  auto handle = Napi::External<AlsaPcm>::New(env, p, [](Napi::Env, AlsaPcm* q) {
    ClosePcm(q, false);
    delete q;
  });
  handle.TypeTag(&kAlsaTag);
  return handle;
}

// alsaInfo(handle) -> what was granted.
Napi::Value AlsaInfo(const Napi::CallbackInfo& info) {
  AlsaPcm* p = Handle(info);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("pcm", p->name);
  o.Set("stream", p->capture ? "capture" : "playback");
  o.Set("type", p->type);
  o.Set("clocked", p->clocked);
  o.Set("format", FormatName(p->format));
  o.Set("rate", p->rate);
  o.Set("channels", p->channels);
  o.Set("periodFrames", static_cast<double>(p->period));
  o.Set("bufferFrames", static_cast<double>(p->buffer));
  o.Set("ringFrames", static_cast<double>(p->ringFrames));
  return o;
}

// alsaWrite(handle, Int32Array, frames) -> frames taken into the ring (fewer when it is full).
Napi::Value AlsaWrite(const Napi::CallbackInfo& info) {
  AlsaPcm* p = Handle(info);
  if (p->capture) throw Napi::TypeError::New(info.Env(), "alsaWrite on a capture PCM");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(info.Env(), "samples must be an Int32Array");
  }
  auto a = info[1].As<Napi::Int32Array>();
  const size_t ch = p->channels;
  size_t frames = static_cast<size_t>(ArgInteger(info, 2, "frames", 0, static_cast<int64_t>(a.ElementLength() / ch)));
  size_t n;
  {
    std::lock_guard<std::mutex> g(p->mu);
    n = std::min(frames, p->ringFrames - p->fill);
    const int32_t* src = a.Data();
    for (size_t i = 0; i < n; i++) {
      size_t at = (p->head + p->fill) % p->ringFrames;
      std::memcpy(&p->ring[at * ch], src + i * ch, ch * 4);
      p->fill++;
    }
  }
  if (n < frames) p->dropped += frames - n;
  if (n > 0) p->cv.notify_all();
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// alsaRead(handle, Int32Array, maxFrames) -> frames copied out of the ring.
Napi::Value AlsaRead(const Napi::CallbackInfo& info) {
  AlsaPcm* p = Handle(info);
  if (!p->capture) throw Napi::TypeError::New(info.Env(), "alsaRead on a playback PCM");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(info.Env(), "samples must be an Int32Array");
  }
  auto a = info[1].As<Napi::Int32Array>();
  const size_t ch = p->channels;
  size_t want = static_cast<size_t>(ArgInteger(info, 2, "maxFrames", 0, static_cast<int64_t>(a.ElementLength() / ch)));
  size_t n;
  {
    std::lock_guard<std::mutex> g(p->mu);
    n = std::min(want, p->fill);
    int32_t* dst = a.Data();
    for (size_t i = 0; i < n; i++) {
      std::memcpy(dst + i * ch, &p->ring[p->head * ch], ch * 4);
      p->head = (p->head + 1) % p->ringFrames;
    }
    p->fill -= n;
  }
  if (n > 0) p->cv.notify_all();
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// alsaDiscard(handle, frames) -> frames dropped from the ring, oldest first (a resync: a backlog
// that steering would take minutes to remove).
Napi::Value AlsaDiscard(const Napi::CallbackInfo& info) {
  AlsaPcm* p = Handle(info);
  size_t want = static_cast<size_t>(ArgInteger(info, 1, "frames", 0, INT32_MAX));
  size_t n;
  {
    std::lock_guard<std::mutex> g(p->mu);
    n = std::min(want, p->fill);
    p->head = (p->head + n) % p->ringFrames;
    p->fill -= n;
  }
  if (n > 0) p->cv.notify_all();
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// alsaStatus(handle) -> live counters; `error` once the PCM failed beyond recovery.
Napi::Value AlsaStatus(const Napi::CallbackInfo& info) {
  AlsaPcm* p = Handle(info);
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  size_t fill;
  {
    std::lock_guard<std::mutex> g(p->mu);
    fill = p->fill;
  }
  o.Set("ringFill", static_cast<double>(fill));
  o.Set("delayFrames", static_cast<double>(p->delay.load()));
  o.Set("availFrames", static_cast<double>(p->avail.load()));
  o.Set("xruns", static_cast<double>(p->xruns.load()));
  o.Set("transferredFrames", static_cast<double>(p->transferred.load()));
  o.Set("droppedFrames", static_cast<double>(p->dropped.load()));
  if (p->failed) o.Set("error", AlsaErr("I/O", p->name, p->lastError));
  return o;
}

// alsaInjectXrun(handle): the next transfer takes the xrun path (snd_pcm_recover on the real PCM),
// for tests and diagnostics: PCMs without a clock (null, file) never run out on their own.
Napi::Value AlsaInjectXrun(const Napi::CallbackInfo& info) {
  AlsaPcm* p = Handle(info);
  p->injectXrun = true;
  p->cv.notify_all();
  return info.Env().Undefined();
}

// alsaClose(handle, drain): playback with drain = true first writes what the ring still holds.
Napi::Value AlsaClose(const Napi::CallbackInfo& info) {
  if (info[0].IsExternal() && info[0].As<Napi::External<AlsaPcm>>().CheckTypeTag(&kAlsaTag)) {
    ClosePcm(info[0].As<Napi::External<AlsaPcm>>().Data(), info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value());
  }
  return info.Env().Undefined();
}

// alsaTakeMessages() -> { messages: string[], suppressed }: ALSA's own error output since the last call.
Napi::Value AlsaTakeMessages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  Napi::Array arr = Napi::Array::New(env);
  std::lock_guard<std::mutex> g(msgMutex);
  uint32_t i = 0;
  for (auto& m : messages) arr.Set(i++, m);
  messages.clear();
  o.Set("messages", arr);
  o.Set("suppressed", static_cast<double>(suppressed));
  suppressed = 0;
  return o;
}

}  // namespace

void RegisterAlsa(Napi::Env env, Napi::Object exports) {
  exports.Set("alsaLoad", Napi::Function::New(env, AlsaLoad, "alsaLoad"));
  exports.Set("alsaOpen", Napi::Function::New(env, AlsaOpen, "alsaOpen"));
  exports.Set("alsaInfo", Napi::Function::New(env, AlsaInfo, "alsaInfo"));
  exports.Set("alsaWrite", Napi::Function::New(env, AlsaWrite, "alsaWrite"));
  exports.Set("alsaRead", Napi::Function::New(env, AlsaRead, "alsaRead"));
  exports.Set("alsaStatus", Napi::Function::New(env, AlsaStatus, "alsaStatus"));
  exports.Set("alsaDiscard", Napi::Function::New(env, AlsaDiscard, "alsaDiscard"));
  exports.Set("alsaInjectXrun", Napi::Function::New(env, AlsaInjectXrun, "alsaInjectXrun"));
  exports.Set("alsaClose", Napi::Function::New(env, AlsaClose, "alsaClose"));
  exports.Set("alsaTakeMessages", Napi::Function::New(env, AlsaTakeMessages, "alsaTakeMessages"));
}

}  // namespace inferno
