// Readable events for PTP sockets: a libuv poll on the socket's fd in the calling thread's own event
// loop (each worker thread has one), so the clock worker sleeps in the loop until a datagram or a
// timer is due instead of waking every few ms to poll. Level-triggered: the callback runs on every
// loop turn while something is queued (data, or TX timestamps nobody collected), so it never misses
// a datagram; the reader drains the socket with non-blocking receives.
#include <uv.h>

#include <memory>

#include "common.h"
#include "ptp_socket.h"

namespace inferno {

struct PtpWatch {
  uv_poll_t poll{};
  napi_env env = nullptr;
  PtpSocket* owner = nullptr;
  // Registered while the poll is open: a worker thread ended with a watch still running closes
  // the handle and frees the watch itself, as the RX flow sockets do, instead of leaving both to
  // Node's teardown of the thread's loop.
  bool cleanupHook = false;
  Napi::FunctionReference callback;
  std::unique_ptr<Napi::AsyncContext> context;
};

namespace {

void OnEnvCleanup(void* arg) {
  auto* s = static_cast<PtpSocket*>(arg);
  if (s->watch) s->watch->cleanupHook = false;  // being run: it is removed already
  StopWatch(s);
}

void OnPoll(uv_poll_t* handle, int /*status*/, int /*events*/) {
  auto* w = static_cast<PtpWatch*>(handle->data);
  if (w->callback.IsEmpty()) return;
  Napi::Env env(w->env);
  Napi::HandleScope scope(env);
  // An error on the fd (status < 0) is reported too: the reader's receive surfaces it.
  try {
    w->callback.MakeCallback(env.Global(), {}, *w->context);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(w->env, e.Value());
  }
}

// ptpSocketWatch(handle, callback | null): calls callback() while the socket is readable; null stops.
Napi::Value PtpSocketWatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PtpSocket* s = GetSocket(info, 0);
  if (info[1].IsNull() || info[1].IsUndefined()) {
    StopWatch(s);
    return env.Undefined();
  }
  if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "callback must be a function or null");
  StopWatch(s);
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) throw Napi::Error::New(env, "no event loop for this thread");
  auto* w = new PtpWatch();
  w->env = env;
  w->owner = s;
  w->callback = Napi::Persistent(info[1].As<Napi::Function>());
  w->context = std::make_unique<Napi::AsyncContext>(env, "PtpSocketReadable");
  int err = uv_poll_init(loop, &w->poll, s->fd);
  if (err == 0) {
    w->poll.data = w;
    err = uv_poll_start(&w->poll, UV_READABLE, OnPoll);
    if (err != 0) {
      s->watch = w;
      StopWatch(s);
    }
  } else {
    delete w;
  }
  if (err != 0) throw Napi::Error::New(env, std::string("uv_poll: ") + uv_strerror(err));
  s->watch = w;
  w->cleanupHook = napi_add_env_cleanup_hook(env, OnEnvCleanup, s) == napi_ok;
  return env.Undefined();
}

}  // namespace

void StopWatch(PtpSocket* s) {
  PtpWatch* w = s->watch;
  if (!w) return;
  s->watch = nullptr;
  if (w->cleanupHook) napi_remove_env_cleanup_hook(w->env, OnEnvCleanup, s);
  w->cleanupHook = false;
  uv_poll_stop(&w->poll);
  // JS references go now, on the JS thread; the memory after libuv has let go of the handle.
  w->callback.Reset();
  w->context.reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), [](uv_handle_t* h) { delete static_cast<PtpWatch*>(h->data); });
}

void RegisterPtpWatch(Napi::Env env, Napi::Object exports) {
  exports.Set("ptpSocketWatch", Napi::Function::New(env, PtpSocketWatch, "ptpSocketWatch"));
}

}  // namespace inferno
