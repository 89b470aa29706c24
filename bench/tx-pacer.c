/*
 * Reference sender for the inferno-aoip benchmark harness, built with the machine's C compiler at
 * bench time. It is the yardstick our JavaScript pacing is compared with: the same deadlines, the
 * same packet sizes and the same socket type, with nothing in between the timer and the socket.
 *
 *   tx-pacer sink IP                 bind a UDP socket, print its port, never read (the kernel drops
 *                                    what does not fit), exit when stdin closes
 *   tx-pacer pace IP PORT FLOWS BYTES FPP RATE SECONDS MODE SPIN_NS REALTIME OUTFILE
 *                                    one connected UDP socket per flow; every FPP/RATE s each flow
 *                                    sends a BYTES-long packet; lateness (ns after the deadline,
 *                                    taken right after send() returns) of every packet goes to
 *                                    OUTFILE as native int32; MODE sleep|spin; REALTIME 0|1 (SCHED_RR 1)
 *   tx-pacer blast IP PORTS FLOWS BYTES FPP RATE_PPS SECONDS
 *                                    offered load for the receive benchmark: RATE_PPS packets/s
 *                                    spread over FLOWS ports (PORTS comma-separated), sent in 1 ms batches with
 *                                    sendmmsg; each packet carries its flow's media time
 *
 * Prints one JSON line with its own figures. Linux only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLOWS 256

static int64_t now_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(int64_t ns) {
  struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
}

static int udp_to(const char *ip, int port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); exit(1); }
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", ip); exit(2); }
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("connect"); exit(1); }
  return fd;
}

/* Audio packet header (PROTOCOL.md 6.1): 0x02, u32 seconds, u32 sample within the second. */
static void header(unsigned char *p, int64_t media, int rate) {
  uint32_t sec = (uint32_t)(media / rate), sub = (uint32_t)(media % rate);
  p[0] = 2;
  p[1] = sec >> 24; p[2] = sec >> 16; p[3] = sec >> 8; p[4] = sec;
  p[5] = sub >> 24; p[6] = sub >> 16; p[7] = sub >> 8; p[8] = sub;
}

static int sink(const char *ip) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
  if (fd < 0 || inet_pton(AF_INET, ip, &a.sin_addr) != 1 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("sink"); return 1; }
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &len);
  printf("{\"port\":%d}\n", ntohs(a.sin_port));
  fflush(stdout);
  char b[64];
  while (read(0, b, sizeof b) > 0) {}
  return 0;
}

static int pace(char **v) {
  const char *ip = v[0];
  int port = atoi(v[1]), flows = atoi(v[2]), bytes = atoi(v[3]), fpp = atoi(v[4]), rate = atoi(v[5]);
  double seconds = atof(v[6]);
  int spin = strcmp(v[7], "spin") == 0;
  int64_t spin_ns = atoll(v[8]);
  int realtime = atoi(v[9]);
  const char *out = v[10];
  if (flows < 1 || flows > MAX_FLOWS || bytes < 9 || bytes > 1500 || fpp < 1 || rate < 1 || seconds <= 0) { fprintf(stderr, "bad arguments\n"); return 2; }

  /* Same timer slack as the transmit worker sets, so neither side is favoured. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  const char *sched = "other";
  char sched_error[96] = "";
  if (realtime) {
    struct sched_param sp = { .sched_priority = 1 };
    if (sched_setscheduler(0, SCHED_RR, &sp) == 0) sched = "rr";
    else snprintf(sched_error, sizeof sched_error, "%s", strerror(errno));
  }
  int fds[MAX_FLOWS];
  for (int f = 0; f < flows; f++) fds[f] = udp_to(ip, port);
  unsigned char pkt[1500];
  memset(pkt, 0x5a, sizeof pkt);

  int64_t cycles = (int64_t)(seconds * rate / fpp);
  int32_t *late = malloc((size_t)(cycles * flows) * sizeof *late);
  if (!late) { perror("malloc"); return 1; }
  int64_t origin = now_ns(CLOCK_MONOTONIC) + 50000000LL;
  int64_t errors = 0;
  int64_t cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID), wall0 = now_ns(CLOCK_MONOTONIC);
  for (int64_t k = 0; k < cycles; k++) {
    /* Exact media-clock deadline of packet k: no accumulated rounding. */
    int64_t deadline = origin + (k * fpp * 1000000000LL) / rate;
    if (spin) {
      sleep_until(deadline - spin_ns);
      while (now_ns(CLOCK_MONOTONIC) < deadline) {}
    } else {
      sleep_until(deadline);
    }
    header(pkt, k * fpp, rate);
    for (int f = 0; f < flows; f++) {
      if (send(fds[f], pkt, (size_t)bytes, 0) < 0) errors++;
      int64_t l = now_ns(CLOCK_MONOTONIC) - deadline;
      late[k * flows + f] = l > INT32_MAX ? INT32_MAX : (int32_t)l;
    }
  }
  int64_t cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0, wall = now_ns(CLOCK_MONOTONIC) - wall0;
  FILE *fo = fopen(out, "wb");
  if (!fo || fwrite(late, sizeof *late, (size_t)(cycles * flows), fo) != (size_t)(cycles * flows)) { perror(out); return 1; }
  fclose(fo);
  printf("{\"packets\":%lld,\"sendErrors\":%lld,\"cpuNs\":%lld,\"wallNs\":%lld,\"sched\":\"%s\",\"schedError\":\"%s\"}\n",
         (long long)(cycles * flows), (long long)errors, (long long)cpu, (long long)wall, sched, sched_error);
  return 0;
}

static int blast(char **v) {
  const char *ip = v[0];
  const char *ports = v[1];
  int flows = atoi(v[2]), bytes = atoi(v[3]), fpp = atoi(v[4]);
  double pps = atof(v[5]), seconds = atof(v[6]);
  if (flows < 1 || flows > MAX_FLOWS || bytes < 9 || bytes > 1500 || pps <= 0 || seconds <= 0) { fprintf(stderr, "bad arguments\n"); return 2; }
  int fds[MAX_FLOWS];
  for (int f = 0; f < flows; f++) {
    if (!*ports) { fprintf(stderr, "fewer ports than flows\n"); return 2; }
    fds[f] = udp_to(ip, atoi(ports));
    while (*ports && *ports != ',') ports++;
    if (*ports == ',') ports++;
  }
  enum { BATCH = 64 };
  unsigned char pkts[BATCH][1500];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    memset(pkts[i], 0x5a, (size_t)bytes);
    iov[i].iov_base = pkts[i];
    iov[i].iov_len = (size_t)bytes;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  int64_t media[MAX_FLOWS] = { 0 }, flow_sent[MAX_FLOWS] = { 0 };
  int64_t total = (int64_t)(pps * seconds), sent = 0, errors = 0;
  int64_t t0 = now_ns(CLOCK_MONOTONIC), tick = 1000000;
  for (int64_t ms = 1; sent < total; ms++) {
    /* Packets due by the end of this millisecond, round-robin over the flows. */
    int64_t due = (int64_t)(pps * (double)ms / 1000.0);
    if (due > total) due = total;
    for (int f = 0; f < flows; f++) {
      /* Packet i belongs to flow i % FLOWS: this flow's share of the packets due so far. */
      int64_t want = (due + flows - 1 - f) / flows;
      while (flow_sent[f] < want) {
        int n = want - flow_sent[f] < BATCH ? (int)(want - flow_sent[f]) : BATCH;
        for (int i = 0; i < n; i++) { header(pkts[i], media[f], 48000); media[f] += fpp; }
        int r = sendmmsg(fds[f], msgs, (unsigned)n, 0);
        if (r < n) errors += n - (r < 0 ? 0 : r);
        flow_sent[f] += n;
        sent += n;
      }
    }
    sleep_until(t0 + ms * tick);
  }
  int64_t wall = now_ns(CLOCK_MONOTONIC) - t0;
  printf("{\"sent\":%lld,\"sendErrors\":%lld,\"wallNs\":%lld}\n", (long long)sent, (long long)errors, (long long)wall);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "sink") == 0) return sink(argv[2]);
  if (argc >= 13 && strcmp(argv[1], "pace") == 0) return pace(argv + 2);
  if (argc >= 9 && strcmp(argv[1], "blast") == 0) return blast(argv + 2);
  fprintf(stderr, "usage: tx-pacer sink IP | pace ... | blast ... (see the comment at the top)\n");
  return 2;
}
