// Audio flow sockets for the receive worker: one non-blocking IPv4 UDP socket per RX flow (unicast:
// device address, ephemeral port; multicast: group and port, joined on the device's interface). A
// libuv poll in the calling thread's own loop wakes on readable data, and each wake-up drains the
// socket with recvmmsg into fixed slots of a caller-provided buffer and calls ONE JS function per
// batch: node:dgram costs a callback, a Buffer and a rinfo object per datagram, which capped one
// worker at ~150,000 datagrams/s. The same fd sends the flow's keepalives.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <memory>
#include <string>

#include "common.h"

namespace inferno {
namespace {

constexpr napi_type_tag kUdpRxTag = {0x6a1f3c5e7b9d2f41ULL, 0x93b5d7f1a2c4e6f8ULL};
constexpr int kMaxSlots = 256;
// Batches per wake-up at most: a flood on one flow cannot hold the worker's delivery timer; the
// level-triggered poll wakes again on the next loop turn for what is left.
constexpr int kMaxBatchesPerWake = 8;
// Per-slot words in the meta array: length (the datagram's full length, even when truncated),
// source address (host order), source port, flags.
constexpr int kMetaWords = 4;
constexpr uint32_t kFlagTruncated = 1;

struct UdpRx;

// Everything a poll needs; freed in the uv_close callback, after libuv has let go of the handle.
struct RxWatch {
  uv_poll_t poll{};
  napi_env env = nullptr;
  UdpRx* owner = nullptr;  // valid while !stopped: owners stop their watch before they go
  bool stopped = false;
  Napi::FunctionReference callback;
  std::unique_ptr<Napi::AsyncContext> context;
  Napi::ObjectReference dataRef, metaRef;  // keep the JS buffers alive while we write into them
  uint8_t* data = nullptr;
  uint32_t* meta = nullptr;
  int slots = 0;
  size_t slotBytes = 0;
  iovec iov[kMaxSlots] = {};
  sockaddr_in from[kMaxSlots] = {};
  mmsghdr msgs[kMaxSlots] = {};
};

struct UdpRx {
  int fd = -1;
  napi_env env = nullptr;
  RxWatch* watch = nullptr;
  // Registered while open: a worker that ends with the socket open (terminate()) closes the poll
  // handle before Node closes the thread's loop, which refuses open handles.
  bool cleanupHook = false;
  double datagrams = 0, batches = 0, truncated = 0, errors = 0;
  int lastErrno = 0;
};

in_addr ParseIPv4(Napi::Env env, const Napi::Value& v, const char* name) {
  if (!v.IsString()) throw Napi::TypeError::New(env, std::string(name) + " must be an IPv4 address string");
  std::string s = v.As<Napi::String>().Utf8Value();
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) throw Napi::TypeError::New(env, std::string(name) + " must be an IPv4 address, got '" + s + "'");
  return a;
}

UdpRx* GetRx(const Napi::CallbackInfo& info, bool allowClosed = false) {
  if (!info[0].IsExternal() || !info[0].As<Napi::External<UdpRx>>().CheckTypeTag(&kUdpRxTag)) {
    throw Napi::TypeError::New(info.Env(), "handle must be a UDP receiver handle from udpRxOpen");
  }
  UdpRx* s = info[0].As<Napi::External<UdpRx>>().Data();
  if (s->fd < 0 && !allowClosed) throw Napi::Error::New(info.Env(), "UDP receiver is closed");
  return s;
}

void StopRxWatch(UdpRx* s) {
  RxWatch* w = s->watch;
  if (!w) return;
  s->watch = nullptr;
  w->stopped = true;
  uv_poll_stop(&w->poll);
  w->callback.Reset();
  w->context.reset();
  w->dataRef.Reset();
  w->metaRef.Reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), [](uv_handle_t* h) { delete static_cast<RxWatch*>(h->data); });
}

void OnEnvCleanup(void* arg);

void CloseRx(UdpRx* s) {
  StopRxWatch(s);  // before close(): libuv must not poll a closed (or reused) fd number
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  if (s->cleanupHook) napi_remove_env_cleanup_hook(s->env, OnEnvCleanup, s);
  s->cleanupHook = false;
}

void OnEnvCleanup(void* arg) {
  auto* s = static_cast<UdpRx*>(arg);
  s->cleanupHook = false;  // being run: it is removed already
  CloseRx(s);
}

void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
  auto* w = static_cast<RxWatch*>(handle->data);
  if (w->stopped) return;
  UdpRx* s = w->owner;
  if (status < 0) {  // the fd itself is bad: stop rather than spin on it
    s->errors++;
    s->lastErrno = -status;
    StopRxWatch(s);
    return;
  }
  Napi::Env env(w->env);
  Napi::HandleScope scope(env);
  for (int b = 0; b < kMaxBatchesPerWake && !w->stopped; b++) {
    for (int i = 0; i < w->slots; i++) {
      w->msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
      w->msgs[i].msg_hdr.msg_flags = 0;
    }
    // MSG_TRUNC: msg_len is the datagram's real length, so an oversize one is seen as such.
    int n = recvmmsg(s->fd, w->msgs, static_cast<unsigned>(w->slots), MSG_DONTWAIT | MSG_TRUNC, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        s->errors++;  // e.g. a pending ICMP error; the next wake reads on
        s->lastErrno = errno;
      }
      return;
    }
    if (n == 0) return;
    for (int i = 0; i < n; i++) {
      uint32_t* m = w->meta + i * kMetaWords;
      m[0] = w->msgs[i].msg_len;
      m[1] = ntohl(w->from[i].sin_addr.s_addr);
      m[2] = ntohs(w->from[i].sin_port);
      m[3] = 0;
      if (w->msgs[i].msg_len > w->slotBytes || (w->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
        m[3] = kFlagTruncated;
        s->truncated++;
      }
    }
    s->datagrams += n;
    s->batches++;
    // more: a full batch at the last allowed round, so the socket may still hold datagrams.
    bool more = n == w->slots && b == kMaxBatchesPerWake - 1;
    try {
      w->callback.MakeCallback(env.Global(), {Napi::Number::New(env, n), Napi::Boolean::New(env, more)}, *w->context);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(w->env, e.Value());
      return;
    }
    if (n < w->slots) return;
  }
}

// udpRxOpen({ bindAddress, port, multicastGroup?, recvBufferBytes }) -> handle. Unicast binds
// bindAddress:port (0 = ephemeral); multicast binds group:port with SO_REUSEADDR and joins the group
// on bindAddress's interface.
Napi::Value UdpRxOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  in_addr iface = ParseIPv4(env, o.Get("bindAddress"), "bindAddress");
  int port = static_cast<int>(ToInteger(env, o.Get("port"), "port", 0, 65535));
  Napi::Value groupV = o.Get("multicastGroup");
  bool multicast = !groupV.IsUndefined();
  in_addr group{};
  if (multicast) group = ParseIPv4(env, groupV, "multicastGroup");
  int rcvbuf = static_cast<int>(ToInteger(env, o.Get("recvBufferBytes"), "recvBufferBytes", 1, 1 << 30));

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw SystemError(env, errno, "socket");
  auto fail = [&](int err, const char* call, const std::string& what) {
    close(fd);
    throw SystemError(env, err, call, what);
  };
  int one = 1;
  if (multicast && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) fail(errno, "setsockopt", "SO_REUSEADDR");
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0) fail(errno, "setsockopt", "SO_RCVBUF");
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(static_cast<uint16_t>(port));
  local.sin_addr = multicast ? group : iface;
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) fail(errno, "bind", "");
  if (multicast) {
    ip_mreq mreq{};
    mreq.imr_multiaddr = group;
    mreq.imr_interface = iface;
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) != 0) fail(errno, "setsockopt", "IP_ADD_MEMBERSHIP");
  }
  auto* s = new UdpRx();
  s->fd = fd;
  s->env = env;
  s->cleanupHook = napi_add_env_cleanup_hook(env, OnEnvCleanup, s) == napi_ok;
  auto handle = Napi::External<UdpRx>::New(env, s, [](Napi::Env, UdpRx* p) {
    CloseRx(p);  // a handle dropped without udpRxClose
    delete p;
  });
  handle.TypeTag(&kUdpRxTag);
  return handle;
}

// udpRxStart(handle, data: Uint8Array, meta: Uint32Array, slots, slotBytes, callback(count, more)).
// Datagram i of a batch is in data[i*slotBytes, ...) with meta[i*4 .. i*4+3] = length, source
// address, source port, flags (1 = truncated to slotBytes). The slots are valid until callback
// returns. A second start replaces the first.
Napi::Value UdpRxStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UdpRx* s = GetRx(info);
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) throw Napi::TypeError::New(env, "data must be a Uint8Array");
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) throw Napi::TypeError::New(env, "meta must be a Uint32Array");
  int slots = static_cast<int>(ArgInteger(info, 3, "slots", 1, kMaxSlots));
  size_t slotBytes = static_cast<size_t>(ArgInteger(info, 4, "slotBytes", 1, 65535));
  if (!info[5].IsFunction()) throw Napi::TypeError::New(env, "callback must be a function");
  Napi::Uint8Array data = info[1].As<Napi::Uint8Array>();
  Napi::Uint32Array meta = info[2].As<Napi::Uint32Array>();
  if (data.ByteLength() < slots * slotBytes) throw Napi::RangeError::New(env, "data is smaller than slots × slotBytes");
  if (meta.ElementLength() < static_cast<size_t>(slots * kMetaWords)) throw Napi::RangeError::New(env, "meta is smaller than slots × 4");
  StopRxWatch(s);
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) throw Napi::Error::New(env, "no event loop for this thread");
  auto* w = new RxWatch();
  w->env = env;
  w->owner = s;
  w->callback = Napi::Persistent(info[5].As<Napi::Function>());
  w->context = std::make_unique<Napi::AsyncContext>(env, "UdpRxReadable");
  w->dataRef = Napi::Persistent(data.As<Napi::Object>());
  w->metaRef = Napi::Persistent(meta.As<Napi::Object>());
  w->data = data.Data();
  w->meta = meta.Data();
  w->slots = slots;
  w->slotBytes = slotBytes;
  for (int i = 0; i < slots; i++) {
    w->iov[i] = {w->data + i * slotBytes, slotBytes};
    w->msgs[i].msg_hdr.msg_iov = &w->iov[i];
    w->msgs[i].msg_hdr.msg_iovlen = 1;
    w->msgs[i].msg_hdr.msg_name = &w->from[i];
  }
  int err = uv_poll_init(loop, &w->poll, s->fd);
  if (err != 0) {
    delete w;
    throw Napi::Error::New(env, std::string("uv_poll_init: ") + uv_strerror(err));
  }
  w->poll.data = w;
  s->watch = w;
  err = uv_poll_start(&w->poll, UV_READABLE, OnReadable);
  if (err != 0) {
    StopRxWatch(s);
    throw Napi::Error::New(env, std::string("uv_poll_start: ") + uv_strerror(err));
  }
  return env.Undefined();
}

// udpRxSend(handle, data: Uint8Array, address, port) -> 0 or -errno (a keepalive; never blocks).
Napi::Value UdpRxSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UdpRx* s = GetRx(info);
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) throw Napi::TypeError::New(env, "data must be a Buffer or Uint8Array");
  Napi::Uint8Array data = info[1].As<Napi::Uint8Array>();
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr = ParseIPv4(env, info[2], "address");
  to.sin_port = htons(static_cast<uint16_t>(ArgInteger(info, 3, "port", 1, 65535)));
  for (;;) {
    if (sendto(s->fd, data.Data(), data.ByteLength(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), sizeof(to)) >= 0) return Napi::Number::New(env, 0);
    if (errno != EINTR) return Napi::Number::New(env, -errno);
  }
}

// udpRxInfo(handle) -> { localAddress, localPort, recvBufferBytes, datagrams, batches, truncated,
// errors, lastErrno }. recvBufferBytes is what the kernel granted (it doubles the request, capped).
Napi::Value UdpRxInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UdpRx* s = GetRx(info, true);
  Napi::Object r = Napi::Object::New(env);
  if (s->fd >= 0) {
    sockaddr_in local{};
    socklen_t len = sizeof(local);
    if (getsockname(s->fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) throw SystemError(env, errno, "getsockname");
    char addr[INET_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET, &local.sin_addr, addr, sizeof(addr));
    int rcvbuf = 0;
    socklen_t optlen = sizeof(rcvbuf);
    getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &optlen);
    r.Set("localAddress", addr);
    r.Set("localPort", Napi::Number::New(env, ntohs(local.sin_port)));
    r.Set("recvBufferBytes", Napi::Number::New(env, rcvbuf));
  }
  r.Set("datagrams", Napi::Number::New(env, s->datagrams));
  r.Set("batches", Napi::Number::New(env, s->batches));
  r.Set("truncated", Napi::Number::New(env, s->truncated));
  r.Set("errors", Napi::Number::New(env, s->errors));
  r.Set("lastErrno", Napi::Number::New(env, s->lastErrno));
  return r;
}

// udpRxClose(handle): idempotent; no callback runs after it, even when called from the callback.
Napi::Value UdpRxClose(const Napi::CallbackInfo& info) {
  CloseRx(GetRx(info, true));
  return info.Env().Undefined();
}

}  // namespace

void RegisterUdpRx(Napi::Env env, Napi::Object exports) {
  exports.Set("udpRxOpen", Napi::Function::New(env, UdpRxOpen, "udpRxOpen"));
  exports.Set("udpRxStart", Napi::Function::New(env, UdpRxStart, "udpRxStart"));
  exports.Set("udpRxSend", Napi::Function::New(env, UdpRxSend, "udpRxSend"));
  exports.Set("udpRxInfo", Napi::Function::New(env, UdpRxInfo, "udpRxInfo"));
  exports.Set("udpRxClose", Napi::Function::New(env, UdpRxClose, "udpRxClose"));
}

}  // namespace inferno
