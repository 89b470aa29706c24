#include "common.h"

#include <cerrno>
#include <cmath>
#include <cstring>

namespace inferno {

int64_t ToInteger(Napi::Env env, const Napi::Value& v, const char* name, int64_t min, int64_t max) {
  if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d) {
    throw Napi::TypeError::New(env, std::string(name) + " must be an integer");
  }
  if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
    throw Napi::TypeError::New(env, std::string(name) + " must be between " + std::to_string(min) +
                                        " and " + std::to_string(max));
  }
  return static_cast<int64_t>(d);
}

int64_t ArgInteger(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min, int64_t max) {
  return ToInteger(info.Env(), info[i], name, min, max);
}

int32_t ArgInt32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return static_cast<int32_t>(ArgInteger(info, i, name, INT32_MIN, INT32_MAX));
}

int64_t ArgBigInt64(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsBigInt()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a bigint");
  bool lossless = false;
  int64_t v = info[i].As<Napi::BigInt>().Int64Value(&lossless);
  if (!lossless) throw Napi::TypeError::New(info.Env(), std::string(name) + " does not fit in 64 bits");
  return v;
}

std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

std::string ErrnoName(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char* n = strerrorname_np(err);
  if (n) return n;
#else
  switch (err) {
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case ESRCH: return "ESRCH";
    case EAGAIN: return "EAGAIN";
    case ENOSYS: return "ENOSYS";
  }
#endif
  return "E" + std::to_string(err);
}

Napi::Object OkResult(Napi::Env env) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("ok", true);
  return r;
}

Napi::Object ErrnoResult(Napi::Env env, int err, const std::string& message) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("ok", false);
  r.Set("errno", ErrnoName(err));
  r.Set("message", message);
  return r;
}

Napi::Error SystemError(Napi::Env env, int err, const char* syscall, const std::string& detail) {
  std::string msg = std::string(syscall) + " failed: " + ErrnoName(err) + " (" + std::strerror(err) + ")";
  if (!detail.empty()) msg += " " + detail;
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", ErrnoName(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", syscall);
  return e;
}

}  // namespace inferno
