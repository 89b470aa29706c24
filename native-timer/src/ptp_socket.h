// State of one PTP socket and the timestamping helpers shared by ptp_socket.cc (the JS functions)
// and ptp_timestamps.cc (enabling timestamps, reading them from control messages and the error queue).
#pragma once

#include <napi.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <cstdint>
#include <string>
#include <vector>

namespace inferno {

constexpr size_t kMaxDatagram = 65536;

enum class TsKind { Hardware, Software, User };

const char* KindName(TsKind k);

struct PtpWatch;  // ptp_watch.cc: a libuv poll on fd that calls JS when it is readable

struct PtpSocket {
  int fd = -1;
  PtpWatch* watch = nullptr;
  TsKind rxKind = TsKind::User;
  bool txTimestamps = false;  // per-send SO_TIMESTAMPING control messages work
  bool hardware = false;
  bool optId = false;
  uint32_t txKey = 0;  // OPT_ID key the kernel gives the next timestamped send
  std::string hardwareNote;
  std::vector<uint8_t> buf = std::vector<uint8_t>(kMaxDatagram);
};

struct Stamp {
  int64_t ns = 0;
  TsKind kind = TsKind::User;
  bool found = false;
};

int64_t MonoNowNs();
int64_t TsNs(const timespec& ts);
// Milliseconds left until deadline, rounded up so poll never returns before it.
int MsLeft(int64_t deadlineNs);

// Sets SO_TIMESTAMPING (or SO_TIMESTAMPNS) on fd and records the outcome in s.
void EnableTimestamps(int fd, PtpSocket* s, bool wantHardware, bool haveIface, in_addr iface);
// The timestamp among a received message's control messages, if any.
Stamp ParseStamp(msghdr* msg, bool hardware);
// Drops queued TX timestamps nobody waits for any more.
void DrainErrQueue(PtpSocket* s);
// The socket behind argument i (a handle from ptpSocketOpen, still open); TypeError otherwise.
PtpSocket* GetSocket(const Napi::CallbackInfo& info, size_t i);
// Stops and releases s->watch (before the fd is closed); safe when there is none.
void StopWatch(PtpSocket* s);
// Waits up to waitMs for the TX timestamp of the send with OPT_ID key `key`.
Stamp WaitTxStamp(PtpSocket* s, uint32_t key, int waitMs);

}  // namespace inferno
