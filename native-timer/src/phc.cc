// Reading a PTP hardware clock (/dev/ptpN) that a daemon disciplines: open the character device and
// read it as a dynamic POSIX clock (FD_TO_CLOCKID), bracketed by CLOCK_TAI readings so JS can map
// it onto the underlying clock. Read-only: we never adjust it.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common.h"

namespace inferno {
namespace {

constexpr napi_type_tag kPhcTag = {0x51d3e8a7c2b94f06ULL, 0x3f7a9e1d6c5b8a40ULL};
// include/linux/posix-timers.h: dynamic clock ids are derived from the file descriptor.
constexpr int kClockFd = 3;
clockid_t FdToClockId(int fd) { return static_cast<clockid_t>((~static_cast<unsigned>(fd) << 3) | kClockFd); }

struct Phc {
  int fd = -1;
  clockid_t id = 0;
};

int64_t Ns(const timespec& t) { return static_cast<int64_t>(t.tv_sec) * 1000000000LL + t.tv_nsec; }

Phc* Handle(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal() || !info[0].As<Napi::External<Phc>>().CheckTypeTag(&kPhcTag)) {
    throw Napi::TypeError::New(info.Env(), "handle must be a PHC handle");
  }
  Phc* p = info[0].As<Napi::External<Phc>>().Data();
  if (p->fd < 0) throw Napi::Error::New(info.Env(), "PHC is closed");
  return p;
}

// phcOpen(path) -> handle; throws a system error naming the path (ENOENT when the device is missing).
Napi::Value PhcOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ArgString(info, 0, "path");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw SystemError(env, errno, "open", path);
  timespec t{};
  clockid_t id = FdToClockId(fd);
  if (clock_gettime(id, &t) != 0) {
    int e = errno;
    close(fd);
    throw SystemError(env, e, "clock_gettime", path + " is not a PTP hardware clock");
  }
  auto* p = new Phc{fd, id};
  auto handle = Napi::External<Phc>::New(env, p, [](Napi::Env, Phc* q) {
    if (q->fd >= 0) close(q->fd);
    delete q;
  });
  handle.TypeTag(&kPhcTag);
  return handle;
}

// phcRead(handle) -> { before, phc, after }: CLOCK_TAI, PHC, CLOCK_TAI as bigint ns.
Napi::Value PhcRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Phc* p = Handle(info);
  timespec a{}, b{}, c{};
  clock_gettime(CLOCK_TAI, &a);
  if (clock_gettime(p->id, &b) != 0) throw SystemError(env, errno, "clock_gettime");
  clock_gettime(CLOCK_TAI, &c);
  Napi::Object o = Napi::Object::New(env);
  o.Set("before", Napi::BigInt::New(env, Ns(a)));
  o.Set("phc", Napi::BigInt::New(env, Ns(b)));
  o.Set("after", Napi::BigInt::New(env, Ns(c)));
  return o;
}

Napi::Value PhcClose(const Napi::CallbackInfo& info) {
  if (info[0].IsExternal() && info[0].As<Napi::External<Phc>>().CheckTypeTag(&kPhcTag)) {
    Phc* p = info[0].As<Napi::External<Phc>>().Data();
    if (p->fd >= 0) close(p->fd);
    p->fd = -1;
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterPhc(Napi::Env env, Napi::Object exports) {
  exports.Set("phcOpen", Napi::Function::New(env, PhcOpen, "phcOpen"));
  exports.Set("phcRead", Napi::Function::New(env, PhcRead, "phcRead"));
  exports.Set("phcClose", Napi::Function::New(env, PhcClose, "phcClose"));
}

}  // namespace inferno
