// Absolute sleeps that block the calling thread (meant for the transmit worker).
#include <time.h>

#include <cerrno>

#include "common.h"

namespace inferno {
namespace {

constexpr int64_t kNsPerSec = 1000000000LL;
// A deadline further ahead is almost surely a clock mix-up (a CLOCK_REALTIME time passed for
// CLOCK_MONOTONIC would block for decades, and a blocked worker cannot even be terminated).
constexpr int64_t kMaxAheadSec = 3600;

bool Before(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// For clocks clock_nanosleep refuses (CLOCK_MONOTONIC_RAW, PTP hardware clocks): sleep the remaining
// interval on CLOCK_MONOTONIC and re-check, so a rate difference can only make us wake late, not early.
int SleepByRechecking(clockid_t id, const timespec& target) {
  for (;;) {
    timespec now;
    if (clock_gettime(id, &now) != 0) return errno;
    if (!Before(now, target)) return 0;
    int64_t left = (static_cast<int64_t>(target.tv_sec) - now.tv_sec) * kNsPerSec + (target.tv_nsec - now.tv_nsec);
    timespec rel{static_cast<time_t>(left / kNsPerSec), static_cast<long>(left % kNsPerSec)};
    int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &rel, nullptr);
    if (r != 0 && r != EINTR) return r;
  }
}

int SleepUntilTs(clockid_t id, const timespec& target) {
  for (;;) {
    int r = clock_nanosleep(id, TIMER_ABSTIME, &target, nullptr);
    if (r == 0) return 0;
    if (r == EINTR) continue;  // a signal: the deadline is absolute, so just sleep again
    if (r == EINVAL || r == ENOTSUP) return SleepByRechecking(id, target);
    return r;
  }
}

void SleepOrThrow(Napi::Env env, clockid_t id, const timespec& target) {
  timespec now;
  if (clock_gettime(id, &now) != 0) {
    if (errno == EINVAL) throw Napi::RangeError::New(env, "unknown clock id " + std::to_string(id));
    throw SystemError(env, errno, "clock_gettime");
  }
  if (target.tv_sec - now.tv_sec > kMaxAheadSec) {
    throw Napi::RangeError::New(env, "deadline is " + std::to_string(target.tv_sec - now.tv_sec) + " s ahead of clock " +
                                         std::to_string(id) + " (limit " + std::to_string(kMaxAheadSec) +
                                         " s): wrong clock?");
  }
  int r = SleepUntilTs(id, target);
  if (r == EINVAL) throw Napi::RangeError::New(env, "unknown clock id " + std::to_string(id));
  if (r != 0) throw SystemError(env, r, "clock_nanosleep");
}

// sleepUntil(clockId, ns: bigint). A deadline in the past returns at once.
Napi::Value SleepUntil(const Napi::CallbackInfo& info) {
  clockid_t id = ArgInt32(info, 0, "clockId");
  int64_t ns = ArgBigInt64(info, 1, "ns");
  if (ns < 0) ns = 0;
  timespec target{static_cast<time_t>(ns / kNsPerSec), static_cast<long>(ns % kNsPerSec)};
  SleepOrThrow(info.Env(), id, target);
  return info.Env().Undefined();
}

// sleepUntilParts(clockId, sec, nsec): the same without a BigInt per call.
Napi::Value SleepUntilParts(const Napi::CallbackInfo& info) {
  clockid_t id = ArgInt32(info, 0, "clockId");
  int64_t sec = ArgInteger(info, 1, "sec", 0, INT64_C(1) << 52);
  int64_t nsec = ArgInteger(info, 2, "nsec", 0, kNsPerSec - 1);
  timespec target{static_cast<time_t>(sec), static_cast<long>(nsec)};
  SleepOrThrow(info.Env(), id, target);
  return info.Env().Undefined();
}

}  // namespace

void RegisterSleep(Napi::Env env, Napi::Object exports) {
  exports.Set("sleepUntil", Napi::Function::New(env, SleepUntil, "sleepUntil"));
  exports.Set("sleepUntilParts", Napi::Function::New(env, SleepUntilParts, "sleepUntilParts"));
}

}  // namespace inferno
