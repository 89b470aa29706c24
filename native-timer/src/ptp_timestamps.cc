// Kernel timestamping for PTP sockets. Software stamps are CLOCK_REALTIME readings taken by the
// kernel; hardware stamps are the NIC clock's time, used only when the driver supports them.
#include <ifaddrs.h>
#include <linux/errqueue.h>
#include <linux/ethtool.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "common.h"
#include "ptp_socket.h"

namespace inferno {

constexpr int64_t kNsPerSec = 1000000000LL;

const char* KindName(TsKind k) {
  return k == TsKind::Hardware ? "hardware" : k == TsKind::Software ? "software" : "user";
}

int64_t MonoNowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return TsNs(ts);
}

int64_t TsNs(const timespec& ts) { return static_cast<int64_t>(ts.tv_sec) * kNsPerSec + ts.tv_nsec; }

int MsLeft(int64_t deadlineNs) {
  int64_t left = deadlineNs - MonoNowNs();
  if (left <= 0) return 0;
  return static_cast<int>((left + 999999) / 1000000);
}

namespace {

// Interface name owning a local IPv4 address, or "" when none does.
std::string InterfaceFor(in_addr addr) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string name;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
        reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr == addr.s_addr) {
      name = i->ifa_name;
      break;
    }
  }
  freeifaddrs(list);
  return name;
}

// Hardware timestamps only when the driver reports the capability (read-only ethtool query) and
// accepts SIOCSHWTSTAMP. That ioctl changes device-wide settings, so it is only tried on request.
bool TryHardware(int fd, in_addr iface, std::string& note) {
  std::string name = InterfaceFor(iface);
  if (name.empty() || name.size() >= IFNAMSIZ) {
    note = "no interface owns the interface address";
    return false;
  }
  ethtool_ts_info tsi{};
  tsi.cmd = ETHTOOL_GET_TS_INFO;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_data = reinterpret_cast<char*>(&tsi);
  if (ioctl(fd, SIOCETHTOOL, &ifr) != 0) {
    note = name + ": ETHTOOL_GET_TS_INFO failed (" + ErrnoName(errno) + ")";
    return false;
  }
  const uint32_t need = SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE;
  if ((tsi.so_timestamping & need) != need || !(tsi.tx_types & (1u << HWTSTAMP_TX_ON))) {
    note = name + ": driver has no hardware timestamping";
    return false;
  }
  hwtstamp_config cfg{};
  cfg.tx_type = HWTSTAMP_TX_ON;
  cfg.rx_filter = HWTSTAMP_FILTER_ALL;
  ifr.ifr_data = reinterpret_cast<char*>(&cfg);
  if (ioctl(fd, SIOCSHWTSTAMP, &ifr) != 0) {
    note = name + ": SIOCSHWTSTAMP failed (" + ErrnoName(errno) + ")";
    return false;
  }
  note = name + ": hardware timestamps, PHC index " + std::to_string(tsi.phc_index);
  return true;
}

struct TxStamp {
  Stamp stamp;
  bool isTimestamp = false;
  uint32_t key = 0;
};

// One message from the error queue; false when the queue is empty.
bool ReadErrQueue(PtpSocket* s, TxStamp& out) {
  alignas(cmsghdr) char control[512];
  iovec iov{s->buf.data(), s->buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  if (recvmsg(s->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return false;
  out = TxStamp{};
  out.stamp = ParseStamp(&msg, s->hardware);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
        (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_EE_ORIGIN_TIMESTAMPING)) {
      sock_extended_err e;
      std::memcpy(&e, CMSG_DATA(c), sizeof(e));
      if (e.ee_origin == SO_EE_ORIGIN_TIMESTAMPING) {
        out.isTimestamp = true;
        out.key = e.ee_data;
      }
    }
  }
  return true;
}

}  // namespace

void EnableTimestamps(int fd, PtpSocket* s, bool wantHardware, bool haveIface, in_addr iface) {
  if (wantHardware && haveIface) s->hardware = TryHardware(fd, iface, s->hardwareNote);
  // TX stamps are requested per send (control message), so sends without one cost nothing.
  uint32_t base = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY;
  if (s->hardware) base |= SOF_TIMESTAMPING_RAW_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE;
  uint32_t flags = base | SOF_TIMESTAMPING_OPT_ID;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags)) == 0) {
    s->optId = true;
  } else if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &base, sizeof(base)) != 0) {
    s->hardware = false;
    int on = 1;
    s->rxKind = setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) == 0 ? TsKind::Software : TsKind::User;
    return;
  }
  s->rxKind = s->hardware ? TsKind::Hardware : TsKind::Software;
  s->txTimestamps = true;
}

// Picks the timestamp out of SCM_TIMESTAMPING (ts[0] software, ts[2] raw hardware) or SCM_TIMESTAMPNS.
Stamp ParseStamp(msghdr* msg, bool hardware) {
  Stamp st;
  for (cmsghdr* c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_TIMESTAMPING) {
      scm_timestamping t;
      std::memcpy(&t, CMSG_DATA(c), sizeof(t));
      if (hardware && (t.ts[2].tv_sec || t.ts[2].tv_nsec)) {
        st = {TsNs(t.ts[2]), TsKind::Hardware, true};
      } else if (t.ts[0].tv_sec || t.ts[0].tv_nsec) {
        st = {TsNs(t.ts[0]), TsKind::Software, true};
      }
    } else if (c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec t;
      std::memcpy(&t, CMSG_DATA(c), sizeof(t));
      st = {TsNs(t), TsKind::Software, true};
    }
  }
  return st;
}

void DrainErrQueue(PtpSocket* s) {
  TxStamp t;
  while (ReadErrQueue(s, t)) {
    if (t.isTimestamp && s->optId && static_cast<int32_t>(t.key - s->txKey) >= 0) s->txKey = t.key + 1;
  }
}

// Waits up to waitMs for the TX timestamp with OPT_ID key `key`; stale stamps of earlier sends
// whose wait timed out are skipped.
Stamp WaitTxStamp(PtpSocket* s, uint32_t key, int waitMs) {
  int64_t deadline = MonoNowNs() + static_cast<int64_t>(waitMs) * 1000000;
  for (;;) {
    TxStamp t;
    while (ReadErrQueue(s, t)) {
      if (!t.isTimestamp || !t.stamp.found) continue;
      if (s->optId && static_cast<int32_t>(t.key - key) < 0) continue;
      return t.stamp;
    }
    int left = MsLeft(deadline);
    if (left == 0) return Stamp{};
    pollfd p{s->fd, 0, 0};  // POLLERR is reported for a non-empty error queue even with no events
    if (poll(&p, 1, left) < 0 && errno != EINTR) return Stamp{};
  }
}

}  // namespace inferno
