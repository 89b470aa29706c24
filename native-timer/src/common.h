// Shared helpers for the native helper's areas: argument checks that throw JS TypeErrors, the
// { ok, errno, message } result shape, and the per-area registration functions that addon.cc calls.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace inferno {

// Argument readers. Each throws Napi::TypeError (a JS TypeError) naming the argument on a wrong type.
int32_t ArgInt32(const Napi::CallbackInfo& info, size_t i, const char* name);
int64_t ArgInteger(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min, int64_t max);
int64_t ArgBigInt64(const Napi::CallbackInfo& info, size_t i, const char* name);
std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name);
// An integer-valued JS number within [min, max]; TypeError otherwise.
int64_t ToInteger(Napi::Env env, const Napi::Value& v, const char* name, int64_t min, int64_t max);

// "EPERM", "EINVAL", ... (falls back to "E<number>").
std::string ErrnoName(int err);
Napi::Object OkResult(Napi::Env env);
Napi::Object ErrnoResult(Napi::Env env, int err, const std::string& message);
// A JS Error with .code (errno name), .errno and .syscall, like Node's own system errors.
Napi::Error SystemError(Napi::Env env, int err, const char* syscall, const std::string& detail = "");

// Each area adds its functions and constants to the module's exports.
void RegisterClock(Napi::Env env, Napi::Object exports);
void RegisterSleep(Napi::Env env, Napi::Object exports);
void RegisterSched(Napi::Env env, Napi::Object exports);
void RegisterPtpSocket(Napi::Env env, Napi::Object exports);

}  // namespace inferno
