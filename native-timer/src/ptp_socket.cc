// Kernel-timestamped IPv4 UDP sockets for PTP. All calls block the calling thread (the clock
// worker), bounded by the timeouts given. Software timestamps are CLOCK_REALTIME readings taken by
// the kernel (RX: on packet arrival in the stack; TX: when the driver hands the packet to the
// device); hardware timestamps are the NIC's PHC time. The PTP code converts either to its timescale.
#include "ptp_socket.h"

#include <arpa/inet.h>
#include <linux/net_tstamp.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common.h"

namespace inferno {
namespace {

// Tags handles so a foreign External (or another addon's) is rejected with a TypeError.
constexpr napi_type_tag kPtpSocketTag = {0x6e1f3a2b9c4d5e60ULL, 0x9a8b7c6d5e4f3a21ULL};
constexpr int kDefaultTxWaitMs = 10;

in_addr ParseIPv4(Napi::Env env, const Napi::Value& v, const char* name) {
  if (!v.IsString()) throw Napi::TypeError::New(env, std::string(name) + " must be an IPv4 address string");
  std::string s = v.As<Napi::String>().Utf8Value();
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) {
    throw Napi::TypeError::New(env, std::string(name) + " must be an IPv4 address, got '" + s + "'");
  }
  return a;
}

bool OptBool(Napi::Env env, Napi::Object o, const char* key, bool dflt) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return dflt;
  if (!v.IsBoolean()) throw Napi::TypeError::New(env, std::string(key) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

}  // namespace

PtpSocket* GetSocket(const Napi::CallbackInfo& info, size_t i) {
  Napi::Env env = info.Env();
  if (!info[i].IsExternal() || !info[i].As<Napi::External<PtpSocket>>().CheckTypeTag(&kPtpSocketTag)) {
    throw Napi::TypeError::New(env, "handle must be a PTP socket handle from ptpSocketOpen");
  }
  PtpSocket* s = info[i].As<Napi::External<PtpSocket>>().Data();
  if (s->fd < 0) throw Napi::Error::New(env, "PTP socket is closed");
  return s;
}

namespace {

void SetOpt(Napi::Env env, int fd, int level, int opt, const void* val, socklen_t len, const char* what) {
  if (setsockopt(fd, level, opt, val, len) != 0) throw SystemError(env, errno, "setsockopt", what);
}

// ptpSocketOpen({ bindAddress, port, multicastGroup?, interfaceAddress?, loopback?, ttl?, hardware? })
Napi::Value PtpSocketOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  in_addr bindAddr = ParseIPv4(env, o.Get("bindAddress"), "bindAddress");
  int port = static_cast<int>(ToInteger(env, o.Get("port"), "port", 0, 65535));
  Napi::Value groupV = o.Get("multicastGroup");
  Napi::Value ifaceV = o.Get("interfaceAddress");
  bool haveGroup = !groupV.IsUndefined();
  bool haveIface = !ifaceV.IsUndefined();
  in_addr group{}, iface{};
  if (haveGroup) {
    group = ParseIPv4(env, groupV, "multicastGroup");
    if (!IN_MULTICAST(ntohl(group.s_addr))) throw Napi::TypeError::New(env, "multicastGroup must be a multicast address");
  }
  if (haveIface) iface = ParseIPv4(env, ifaceV, "interfaceAddress");
  bool loop = OptBool(env, o, "loopback", false);
  bool wantHw = OptBool(env, o, "hardware", false);
  Napi::Value ttlV = o.Get("ttl");
  int ttl = ttlV.IsUndefined() ? 1 : static_cast<int>(ToInteger(env, ttlV, "ttl", 1, 255));

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw SystemError(env, errno, "socket");
  auto* s = new PtpSocket();
  s->fd = fd;
  try {
    int on = 1, off = 0;
    SetOpt(env, fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on), "SO_REUSEADDR");
    // Only groups this socket joined, not every group joined in the namespace on the same port.
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof(off));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr = bindAddr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) throw SystemError(env, errno, "bind");
    if (haveGroup) {
      ip_mreqn mr{};
      mr.imr_multiaddr = group;
      mr.imr_address = haveIface ? iface : in_addr{htonl(INADDR_ANY)};
      SetOpt(env, fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr), "IP_ADD_MEMBERSHIP");
    }
    if (haveIface) SetOpt(env, fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof(iface), "IP_MULTICAST_IF");
    int loopV = loop ? 1 : 0;
    SetOpt(env, fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loopV, sizeof(loopV), "IP_MULTICAST_LOOP");
    SetOpt(env, fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl), "IP_MULTICAST_TTL");
    EnableTimestamps(fd, s, wantHw, haveIface, iface);
  } catch (...) {
    close(fd);
    delete s;
    throw;
  }
  auto handle = Napi::External<PtpSocket>::New(env, s, [](Napi::Env, PtpSocket* p) {
    StopWatch(p);
    if (p->fd >= 0) close(p->fd);  // a handle dropped without ptpSocketClose
    delete p;
  });
  handle.TypeTag(&kPtpSocketTag);
  return handle;
}

Napi::Object ReadDatagram(Napi::Env env, PtpSocket* s, ssize_t n, msghdr& msg, const sockaddr_in& from) {
  Stamp st = ParseStamp(&msg, s->hardware);
  if (!st.found) {
    // No kernel stamp: the best we have is now, read right after the datagram was taken. Happens
    // for datagrams that arrive just after the first timestamping socket on the host opened (the
    // kernel switches RX stamping on from a deferred work item).
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    st = {TsNs(ts), TsKind::User, true};
  }
  char addr[INET_ADDRSTRLEN] = {0};
  inet_ntop(AF_INET, &from.sin_addr, addr, sizeof(addr));
  Napi::Object r = Napi::Object::New(env);
  r.Set("data", Napi::Buffer<uint8_t>::Copy(env, s->buf.data(), static_cast<size_t>(n)));
  r.Set("address", addr);
  r.Set("port", Napi::Number::New(env, ntohs(from.sin_port)));
  r.Set("timestampNs", Napi::BigInt::New(env, st.ns));
  r.Set("timestampKind", KindName(st.kind));
  r.Set("truncated", (msg.msg_flags & MSG_TRUNC) != 0);
  return r;
}

// ptpSocketRecv(handle, timeoutMs) -> { data, address, port, timestampNs, timestampKind, truncated } | null
Napi::Value PtpSocketRecv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PtpSocket* s = GetSocket(info, 0);
  int64_t timeoutMs = ArgInteger(info, 1, "timeoutMs", 0, INT32_MAX);
  int64_t deadline = MonoNowNs() + timeoutMs * 1000000;
  for (;;) {
    alignas(cmsghdr) char control[512];
    sockaddr_in from{};
    iovec iov{s->buf.data(), s->buf.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
    if (n >= 0) return ReadDatagram(env, s, n, msg, from);
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) throw SystemError(env, errno, "recvmsg");
    int left = MsLeft(deadline);
    if (left == 0 && timeoutMs > 0) return env.Null();
    pollfd p{s->fd, POLLIN, 0};
    int r = poll(&p, 1, left);
    if (r < 0 && errno != EINTR) throw SystemError(env, errno, "poll");
    if (r == 0) return env.Null();
    // Timestamps of sends nobody waited for would keep poll reporting POLLERR: drop them.
    if (r > 0 && (p.revents & POLLERR)) DrainErrQueue(s);
    if (timeoutMs == 0 && r > 0 && !(p.revents & POLLIN)) return env.Null();
  }
}

// ptpSocketSend(handle, data, address, port, { wantTxTimestamp?, txTimeoutMs? })
//   -> { txTimestampNs: bigint | null, txTimestampKind: 'hardware' | 'software' | null }
Napi::Value PtpSocketSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PtpSocket* s = GetSocket(info, 0);
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "data must be a Buffer or Uint8Array");
  }
  Napi::Uint8Array data = info[1].As<Napi::Uint8Array>();
  in_addr to = ParseIPv4(env, info[2], "address");
  int port = static_cast<int>(ArgInteger(info, 3, "port", 1, 65535));
  bool want = false;
  int waitMs = kDefaultTxWaitMs;
  if (!info[4].IsUndefined()) {
    if (!info[4].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
    Napi::Object o = info[4].As<Napi::Object>();
    want = OptBool(env, o, "wantTxTimestamp", false);
    Napi::Value w = o.Get("txTimeoutMs");
    if (!w.IsUndefined()) waitMs = static_cast<int>(ToInteger(env, w, "txTimeoutMs", 0, 1000));
  }
  want = want && s->txTimestamps;

  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr = to;
  iovec iov{data.Data(), data.ByteLength()};
  msghdr msg{};
  msg.msg_name = &sa;
  msg.msg_namelen = sizeof(sa);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(uint32_t))] = {0};
  if (want) {
    DrainErrQueue(s);
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SO_TIMESTAMPING;
    c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
    uint32_t flags = s->hardware ? SOF_TIMESTAMPING_TX_HARDWARE : SOF_TIMESTAMPING_TX_SOFTWARE;
    std::memcpy(CMSG_DATA(c), &flags, sizeof(flags));
  }
  int64_t deadline = MonoNowNs() + 100 * 1000000LL;
  for (;;) {
    if (sendmsg(s->fd, &msg, 0) >= 0) break;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      int left = MsLeft(deadline);
      if (left == 0) throw SystemError(env, EAGAIN, "sendmsg", "(send buffer full for 100 ms)");
      pollfd p{s->fd, POLLOUT, 0};
      poll(&p, 1, left);
      continue;
    }
    throw SystemError(env, errno, "sendmsg");
  }
  Napi::Object r = Napi::Object::New(env);
  Stamp st;
  if (want) st = WaitTxStamp(s, s->txKey++, waitMs);
  r.Set("txTimestampNs", st.found ? Napi::Value(Napi::BigInt::New(env, st.ns)) : env.Null());
  r.Set("txTimestampKind", st.found ? Napi::Value(Napi::String::New(env, KindName(st.kind))) : env.Null());
  return r;
}

// ptpSocketClose(handle): idempotent.
Napi::Value PtpSocketClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsExternal() || !info[0].As<Napi::External<PtpSocket>>().CheckTypeTag(&kPtpSocketTag)) {
    throw Napi::TypeError::New(env, "handle must be a PTP socket handle from ptpSocketOpen");
  }
  PtpSocket* s = info[0].As<Napi::External<PtpSocket>>().Data();
  StopWatch(s);
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  return env.Undefined();
}

// ptpSocketInfo(handle) -> { timestampKind, txTimestamps, hardwareNote, localAddress, localPort }
Napi::Value PtpSocketInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PtpSocket* s = GetSocket(info, 0);
  sockaddr_in local{};
  socklen_t len = sizeof(local);
  if (getsockname(s->fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) throw SystemError(env, errno, "getsockname");
  char addr[INET_ADDRSTRLEN] = {0};
  inet_ntop(AF_INET, &local.sin_addr, addr, sizeof(addr));
  Napi::Object r = Napi::Object::New(env);
  r.Set("timestampKind", KindName(s->rxKind));
  r.Set("txTimestamps", s->txTimestamps);
  r.Set("hardwareNote", s->hardwareNote);
  r.Set("localAddress", addr);
  r.Set("localPort", Napi::Number::New(env, ntohs(local.sin_port)));
  return r;
}

}  // namespace

void RegisterPtpSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("ptpSocketOpen", Napi::Function::New(env, PtpSocketOpen, "ptpSocketOpen"));
  exports.Set("ptpSocketRecv", Napi::Function::New(env, PtpSocketRecv, "ptpSocketRecv"));
  exports.Set("ptpSocketSend", Napi::Function::New(env, PtpSocketSend, "ptpSocketSend"));
  exports.Set("ptpSocketClose", Napi::Function::New(env, PtpSocketClose, "ptpSocketClose"));
  exports.Set("ptpSocketInfo", Napi::Function::New(env, PtpSocketInfo, "ptpSocketInfo"));
}

}  // namespace inferno
