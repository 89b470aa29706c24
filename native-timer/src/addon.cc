// Module init: every area registers its own functions. Node-API modules are context-aware, and no
// area keeps mutable global state (socket state lives in per-handle externals), so the addon can be
// loaded in several worker_threads at once.
#include "common.h"

namespace inferno {
// Defined in usrvclock.cc and phc.cc.
void RegisterUsrvclock(Napi::Env env, Napi::Object exports);
void RegisterPhc(Napi::Env env, Napi::Object exports);
// Defined in alsa.cc (libasound through dlopen at run time).
void RegisterAlsa(Napi::Env env, Napi::Object exports);
// Defined in udp_tx.cc.
void RegisterUdpTx(Napi::Env env, Napi::Object exports);
// Defined in udp_rx.cc.
void RegisterUdpRx(Napi::Env env, Napi::Object exports);
// Defined in ptp_watch.cc.
void RegisterPtpWatch(Napi::Env env, Napi::Object exports);
// Defined in memory.cc.
void RegisterMemory(Napi::Env env, Napi::Object exports);
}  // namespace inferno

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  inferno::RegisterClock(env, exports);
  inferno::RegisterSleep(env, exports);
  inferno::RegisterSched(env, exports);
  inferno::RegisterPtpSocket(env, exports);
  inferno::RegisterPtpWatch(env, exports);
  inferno::RegisterMemory(env, exports);
  inferno::RegisterUsrvclock(env, exports);
  inferno::RegisterPhc(env, exports);
  inferno::RegisterAlsa(env, exports);
  inferno::RegisterUdpTx(env, exports);
  inferno::RegisterUdpRx(env, exports);
  // Bumped when the JS-visible API changes, so the loader can refuse a stale build.
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace

NODE_API_MODULE(inferno_native, Init)
