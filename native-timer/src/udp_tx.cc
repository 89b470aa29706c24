// Audio flow sockets for the transmit worker: one non-blocking IPv4 UDP socket per TX flow, bound to
// the device's address and connected to the receiver (PROTOCOL.md §6.3, §5.5). Sends are issued
// synchronously from the send loop, packets laid end to end in one buffer go out in one sendmmsg,
// and nothing is allocated per call (node:dgram makes request objects per send and needs the
// event loop to turn when the kernel buffer is full). Keepalives are counted by draining the socket.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common.h"

namespace inferno {
namespace {

constexpr napi_type_tag kUdpTxTag = {0x2d4c6e8f1a3b5c7dULL, 0x8e9fa0b1c2d3e4f5ULL};
// Packets per call at most (the transmit worker's catch-up burst is far below this).
constexpr int64_t kMaxBatch = 64;
// Datagrams read per drain at most, so a flood cannot hold the send loop.
constexpr int kMaxDrain = 256;

struct UdpTx {
  int fd = -1;
};

in_addr ParseIPv4(Napi::Env env, const Napi::Value& v, const char* name) {
  if (!v.IsString()) throw Napi::TypeError::New(env, std::string(name) + " must be an IPv4 address string");
  std::string s = v.As<Napi::String>().Utf8Value();
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) {
    throw Napi::TypeError::New(env, std::string(name) + " must be an IPv4 address, got '" + s + "'");
  }
  return a;
}

UdpTx* GetTx(const Napi::CallbackInfo& info, bool allowClosed = false) {
  Napi::Env env = info.Env();
  if (!info[0].IsExternal() || !info[0].As<Napi::External<UdpTx>>().CheckTypeTag(&kUdpTxTag)) {
    throw Napi::TypeError::New(env, "handle must be a UDP sender handle from udpTxOpen");
  }
  UdpTx* s = info[0].As<Napi::External<UdpTx>>().Data();
  if (s->fd < 0 && !allowClosed) throw Napi::Error::New(env, "UDP sender is closed");
  return s;
}

// udpTxOpen({ bindAddress, address, port, multicastInterface?, ttl? }) -> handle
// Binds to bindAddress on an ephemeral port and connects to address:port. multicastInterface sets
// IP_MULTICAST_IF (as node:dgram's setMulticastInterface did) and ttl IP_MULTICAST_TTL.
Napi::Value UdpTxOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  in_addr bindAddr = ParseIPv4(env, o.Get("bindAddress"), "bindAddress");
  in_addr to = ParseIPv4(env, o.Get("address"), "address");
  int port = static_cast<int>(ToInteger(env, o.Get("port"), "port", 1, 65535));
  Napi::Value ifaceV = o.Get("multicastInterface");
  bool haveIface = !ifaceV.IsUndefined();
  in_addr iface{};
  if (haveIface) iface = ParseIPv4(env, ifaceV, "multicastInterface");
  Napi::Value ttlV = o.Get("ttl");
  int ttl = ttlV.IsUndefined() ? 0 : static_cast<int>(ToInteger(env, ttlV, "ttl", 1, 255));

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw SystemError(env, errno, "socket");
  auto fail = [&](int err, const char* call, const std::string& what) {
    close(fd);
    throw SystemError(env, err, call, what);
  };
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr = bindAddr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) fail(errno, "bind", "");
  if (haveIface && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof(iface)) != 0) fail(errno, "setsockopt", "IP_MULTICAST_IF");
  if (ttl > 0 && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) != 0) fail(errno, "setsockopt", "IP_MULTICAST_TTL");
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(port));
  remote.sin_addr = to;
  if (connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) != 0) fail(errno, "connect", "");
  auto* s = new UdpTx();
  s->fd = fd;
  auto handle = Napi::External<UdpTx>::New(env, s, [](Napi::Env, UdpTx* p) {
    if (p->fd >= 0) close(p->fd);  // a handle dropped without udpTxClose
    delete p;
  });
  handle.TypeTag(&kUdpTxTag);
  return handle;
}

// udpTxSend(handle, data: Uint8Array, length, count) -> packets the kernel took (0..count), or
// -errno when the first one failed (EAGAIN: send buffer full; ECONNREFUSED: the receiver's port
// answered ICMP unreachable). Packet i is data[i*length, (i+1)*length). Never blocks.
Napi::Value UdpTxSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UdpTx* s = GetTx(info);
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "data must be a Buffer or Uint8Array");
  }
  Napi::Uint8Array data = info[1].As<Napi::Uint8Array>();
  int64_t length = ArgInteger(info, 2, "length", 1, 65507);
  int64_t count = ArgInteger(info, 3, "count", 1, kMaxBatch);
  if (length * count > static_cast<int64_t>(data.ByteLength())) {
    throw Napi::RangeError::New(env, "length × count (" + std::to_string(length * count) + ") exceeds data (" +
                                         std::to_string(data.ByteLength()) + " bytes)");
  }
  uint8_t* base = data.Data();
  if (count == 1) {
    for (;;) {
      ssize_t r = send(s->fd, base, static_cast<size_t>(length), MSG_DONTWAIT);
      if (r >= 0) return Napi::Number::New(env, 1);
      if (errno != EINTR) return Napi::Number::New(env, -errno);
    }
  }
  iovec iov[kMaxBatch];
  mmsghdr msgs[kMaxBatch] = {};
  for (int64_t i = 0; i < count; i++) {
    iov[i].iov_base = base + i * length;
    iov[i].iov_len = static_cast<size_t>(length);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  for (;;) {
    int r = sendmmsg(s->fd, msgs, static_cast<unsigned>(count), MSG_DONTWAIT);
    if (r >= 0) return Napi::Number::New(env, r);
    if (errno != EINTR) return Napi::Number::New(env, -errno);
  }
}

// udpTxDrain(handle) -> datagrams read (up to a bound) without blocking: the receiver's keepalives.
// A pending socket error (ICMP unreachable from an earlier send) is consumed, not counted.
Napi::Value UdpTxDrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UdpTx* s = GetTx(info);
  uint8_t buf[64];
  int n = 0;
  for (int i = 0; i < kMaxDrain; i++) {
    ssize_t r = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (r >= 0) {
      n++;
      continue;
    }
    if (errno == EINTR || errno == ECONNREFUSED) continue;
    break;
  }
  return Napi::Number::New(env, n);
}

// udpTxInfo(handle) -> { localAddress, localPort }
Napi::Value UdpTxInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UdpTx* s = GetTx(info);
  sockaddr_in local{};
  socklen_t len = sizeof(local);
  if (getsockname(s->fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) throw SystemError(env, errno, "getsockname");
  char addr[INET_ADDRSTRLEN] = {0};
  inet_ntop(AF_INET, &local.sin_addr, addr, sizeof(addr));
  Napi::Object r = Napi::Object::New(env);
  r.Set("localAddress", addr);
  r.Set("localPort", Napi::Number::New(env, ntohs(local.sin_port)));
  return r;
}

// udpTxClose(handle): idempotent.
Napi::Value UdpTxClose(const Napi::CallbackInfo& info) {
  UdpTx* s = GetTx(info, true);
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  return info.Env().Undefined();
}

}  // namespace

void RegisterUdpTx(Napi::Env env, Napi::Object exports) {
  exports.Set("udpTxOpen", Napi::Function::New(env, UdpTxOpen, "udpTxOpen"));
  exports.Set("udpTxSend", Napi::Function::New(env, UdpTxSend, "udpTxSend"));
  exports.Set("udpTxDrain", Napi::Function::New(env, UdpTxDrain, "udpTxDrain"));
  exports.Set("udpTxInfo", Napi::Function::New(env, UdpTxInfo, "udpTxInfo"));
  exports.Set("udpTxClose", Napi::Function::New(env, UdpTxClose, "udpTxClose"));
}

}  // namespace inferno
