// Clock reads. Any Linux clock id is accepted (also dynamic ids of PTP hardware clocks); the four
// the engine uses are exported as constants.
#include <sys/timex.h>
#include <time.h>

#include <cerrno>

#include "common.h"

namespace inferno {
namespace {

constexpr int64_t kNsPerSec = 1000000000LL;

timespec ReadClock(Napi::Env env, clockid_t id) {
  timespec ts;
  if (clock_gettime(id, &ts) != 0) {
    int err = errno;
    if (err == EINVAL) throw Napi::RangeError::New(env, "unknown clock id " + std::to_string(id));
    throw SystemError(env, err, "clock_gettime");
  }
  return ts;
}

// clockNs(clockId): bigint nanoseconds.
Napi::Value ClockNs(const Napi::CallbackInfo& info) {
  timespec ts = ReadClock(info.Env(), ArgInt32(info, 0, "clockId"));
  return Napi::BigInt::New(info.Env(), static_cast<int64_t>(ts.tv_sec) * kNsPerSec + ts.tv_nsec);
}

// clockReadInto(clockId, target, index): no allocation on the hot path.
//   BigInt64Array: target[index] = nanoseconds.
//   Float64Array:  target[index] = seconds, target[index + 1] = nanoseconds (both exact in a double;
//                  a single float64 of epoch nanoseconds would lose precision above 2^53).
Napi::Value ClockReadInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  clockid_t id = ArgInt32(info, 0, "clockId");
  if (!info[1].IsTypedArray()) throw Napi::TypeError::New(env, "target must be a BigInt64Array or Float64Array");
  Napi::TypedArray arr = info[1].As<Napi::TypedArray>();
  size_t index = static_cast<size_t>(ArgInteger(info, 2, "index", 0, INT32_MAX));
  napi_typedarray_type type = arr.TypedArrayType();
  if (type == napi_bigint64_array) {
    if (index >= arr.ElementLength()) throw Napi::RangeError::New(env, "index out of range");
    timespec ts = ReadClock(env, id);
    arr.As<Napi::BigInt64Array>()[index] = static_cast<int64_t>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
  } else if (type == napi_float64_array) {
    if (index + 1 >= arr.ElementLength()) throw Napi::RangeError::New(env, "index + 1 out of range");
    timespec ts = ReadClock(env, id);
    Napi::Float64Array f = arr.As<Napi::Float64Array>();
    f[index] = static_cast<double>(ts.tv_sec);
    f[index + 1] = static_cast<double>(ts.tv_nsec);
  } else {
    throw Napi::TypeError::New(env, "target must be a BigInt64Array or Float64Array");
  }
  return env.Undefined();
}

// taiOffsetSeconds(): the kernel's TAI-UTC offset. adjtimex with modes = 0 only reads. Many systems
// leave it at 0 (then CLOCK_TAI == CLOCK_REALTIME) unless a PTP or NTP daemon sets it.
Napi::Value TaiOffsetSeconds(const Napi::CallbackInfo& info) {
  timex tx{};
  tx.modes = 0;
  if (adjtimex(&tx) < 0) throw SystemError(info.Env(), errno, "adjtimex");
  return Napi::Number::New(info.Env(), tx.tai);
}

}  // namespace

void RegisterClock(Napi::Env env, Napi::Object exports) {
  exports.Set("CLOCK_REALTIME", Napi::Number::New(env, CLOCK_REALTIME));
  exports.Set("CLOCK_MONOTONIC", Napi::Number::New(env, CLOCK_MONOTONIC));
  exports.Set("CLOCK_MONOTONIC_RAW", Napi::Number::New(env, CLOCK_MONOTONIC_RAW));
  exports.Set("CLOCK_TAI", Napi::Number::New(env, CLOCK_TAI));
  exports.Set("clockNs", Napi::Function::New(env, ClockNs, "clockNs"));
  exports.Set("clockReadInto", Napi::Function::New(env, ClockReadInto, "clockReadInto"));
  exports.Set("taiOffsetSeconds", Napi::Function::New(env, TaiOffsetSeconds, "taiOffsetSeconds"));
}

}  // namespace inferno
