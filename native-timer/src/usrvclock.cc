// usrvclock client transport (PROTOCOL.md §7.1): an AF_UNIX datagram socket bound to a file of our
// own (the server answers to that address), a subscribe datagram to the server path, and receives
// of the 40-byte frames the server pushes. Node has no Unix datagram sockets, hence this helper.
// Decoding happens in JS (src/core/usrvclock.ts).
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "common.h"

namespace inferno {
namespace {

constexpr napi_type_tag kUsrvclockTag = {0x2c61d0a93b7e4f15ULL, 0x84e2b6c7d9a0f312ULL};
// Frames are 40 bytes; anything up to this is read whole so a longer (newer) frame is not cut silently.
constexpr size_t kMaxFrame = 256;
std::atomic<unsigned> clientCounter{0};

struct UsrvclockClient {
  int fd = -1;
  sockaddr_un server{};
  std::string clientPath;
};

void CloseClient(UsrvclockClient* c) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  if (!c->clientPath.empty()) unlink(c->clientPath.c_str());
  c->clientPath.clear();
}

bool FillAddr(const std::string& path, sockaddr_un* a) {
  if (path.empty() || path.size() >= sizeof(a->sun_path)) return false;
  a->sun_family = AF_UNIX;
  std::memcpy(a->sun_path, path.c_str(), path.size() + 1);
  return true;
}

UsrvclockClient* Handle(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal() || !info[0].As<Napi::External<UsrvclockClient>>().CheckTypeTag(&kUsrvclockTag)) {
    throw Napi::TypeError::New(info.Env(), "handle must be a usrvclock client handle");
  }
  UsrvclockClient* c = info[0].As<Napi::External<UsrvclockClient>>().Data();
  if (c->fd < 0) throw Napi::Error::New(info.Env(), "usrvclock client is closed");
  return c;
}

// usrvclockOpen(serverPath, clientDir) -> handle. Binds clientDir/inferno-usrvclock-<pid>-<n>.
Napi::Value UsrvclockOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string serverPath = ArgString(info, 0, "serverPath");
  std::string dir = ArgString(info, 1, "clientDir");
  auto* c = new UsrvclockClient();
  if (!FillAddr(serverPath, &c->server)) {
    delete c;
    throw Napi::TypeError::New(env, "serverPath must be 1-107 bytes");
  }
  c->clientPath = dir + "/inferno-usrvclock-" + std::to_string(getpid()) + "-" + std::to_string(clientCounter++);
  sockaddr_un self{};
  if (!FillAddr(c->clientPath, &self)) {
    delete c;
    throw Napi::TypeError::New(env, "clientDir is too long for a Unix socket path");
  }
  c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    int e = errno;
    delete c;
    throw SystemError(env, e, "socket");
  }
  unlink(c->clientPath.c_str());
  if (bind(c->fd, reinterpret_cast<sockaddr*>(&self), sizeof(self)) != 0) {
    int e = errno;
    std::string p = c->clientPath;
    c->clientPath.clear();
    CloseClient(c);
    delete c;
    throw SystemError(env, e, "bind", p);
  }
  auto handle = Napi::External<UsrvclockClient>::New(env, c, [](Napi::Env, UsrvclockClient* p) {
    CloseClient(p);
    delete p;
  });
  handle.TypeTag(&kUsrvclockTag);
  return handle;
}

// usrvclockSubscribe(handle) -> { ok } | { ok: false, errno, message }: one datagram to the server.
Napi::Value UsrvclockSubscribe(const Napi::CallbackInfo& info) {
  UsrvclockClient* c = Handle(info);
  const char hello = 0;
  ssize_t n = sendto(c->fd, &hello, 1, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&c->server), sizeof(c->server));
  if (n < 0) return ErrnoResult(info.Env(), errno, std::string("sendto ") + c->server.sun_path);
  return OkResult(info.Env());
}

// usrvclockRecv(handle, timeoutMs) -> Buffer | null (timeout).
Napi::Value UsrvclockRecv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UsrvclockClient* c = Handle(info);
  int timeoutMs = static_cast<int>(ArgInteger(info, 1, "timeoutMs", 0, INT32_MAX));
  pollfd p{c->fd, POLLIN, 0};
  int r = poll(&p, 1, timeoutMs);
  if (r < 0) {
    if (errno == EINTR) return env.Null();
    throw SystemError(env, errno, "poll");
  }
  if (r == 0) return env.Null();
  uint8_t buf[kMaxFrame];
  ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return env.Null();
    throw SystemError(env, errno, "recv");
  }
  return Napi::Buffer<uint8_t>::Copy(env, buf, static_cast<size_t>(n));
}

Napi::Value UsrvclockClose(const Napi::CallbackInfo& info) {
  if (info[0].IsExternal() && info[0].As<Napi::External<UsrvclockClient>>().CheckTypeTag(&kUsrvclockTag)) {
    CloseClient(info[0].As<Napi::External<UsrvclockClient>>().Data());
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterUsrvclock(Napi::Env env, Napi::Object exports) {
  exports.Set("usrvclockOpen", Napi::Function::New(env, UsrvclockOpen, "usrvclockOpen"));
  exports.Set("usrvclockSubscribe", Napi::Function::New(env, UsrvclockSubscribe, "usrvclockSubscribe"));
  exports.Set("usrvclockRecv", Napi::Function::New(env, UsrvclockRecv, "usrvclockRecv"));
  exports.Set("usrvclockClose", Napi::Function::New(env, UsrvclockClose, "usrvclockClose"));
}

}  // namespace inferno
