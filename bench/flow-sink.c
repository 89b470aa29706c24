/*
 * flow-sink: a receiver that costs the machine nothing, for measuring the transmit worker the way
 * the C reference pacer is measured (its sink never reads either).
 *
 *   flow-sink BIND_IP BASE_PORT TX_IP FLOWS_PORT REQUEST_HEX...
 *
 * Binds one UDP socket per request at BIND_IP:BASE_PORT+i (the request names that port), sends
 * each flow request (PROTOCOL.md §5.1, encoded by the harness) to TX_IP:FLOWS_PORT and prints the
 * reply as "reply I HEX" (or "reply I timeout"). Then it reads each socket's first audio packet
 * only, to learn the flow's source, prints "source I IP:PORT", and from then on sends the
 * keepalive (13 37, §5.5) every 250 ms from each socket and never reads again: the kernel drops
 * what overflows the small receive buffer. Ends on SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLOWS 64

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }

static int udp_bound(const char *ip, int port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  int small = 4096; /* the buffer fills at once; everything after is dropped by the kernel */
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int unhex(const char *h, unsigned char *out, int max) {
  int n = (int)strlen(h) / 2;
  if (n > max) return -1;
  for (int i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(h + 2 * i, "%2x", &v) != 1) return -1;
    out[i] = (unsigned char)v;
  }
  return n;
}

int main(int argc, char **argv) {
  if (argc < 6 || argc - 5 > MAX_FLOWS) {
    fprintf(stderr, "usage: flow-sink BIND_IP BASE_PORT TX_IP FLOWS_PORT REQUEST_HEX... (1..%d requests)\n", MAX_FLOWS);
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  const char *bind_ip = argv[1], *tx_ip = argv[3];
  int base = atoi(argv[2]), flows_port = atoi(argv[4]), n = argc - 5;
  int fd[MAX_FLOWS];
  struct sockaddr_in src[MAX_FLOWS];
  struct sockaddr_in tx = { .sin_family = AF_INET, .sin_port = htons((unsigned short)flows_port) };
  if (inet_pton(AF_INET, tx_ip, &tx.sin_addr) != 1) { fprintf(stderr, "bad TX_IP %s\n", tx_ip); return 2; }
  for (int i = 0; i < n; i++) {
    fd[i] = udp_bound(bind_ip, base + i);
    if (fd[i] < 0) { fprintf(stderr, "cannot bind %s:%d: %s\n", bind_ip, base + i, strerror(errno)); return 1; }
  }
  unsigned char buf[2048];
  for (int i = 0; i < n && !stop; i++) {
    int len = unhex(argv[5 + i], buf, sizeof buf);
    int c = udp_bound(bind_ip, 0);
    if (len <= 0 || c < 0) { fprintf(stderr, "bad request %d\n", i); return 2; }
    sendto(c, buf, (size_t)len, 0, (struct sockaddr *)&tx, sizeof tx);
    struct pollfd p = { .fd = c, .events = POLLIN };
    if (poll(&p, 1, 3000) == 1) {
      ssize_t r = recv(c, buf, sizeof buf, 0);
      printf("reply %d ", i);
      for (ssize_t k = 0; k < r; k++) printf("%02x", buf[k]);
      printf("\n");
    } else {
      printf("reply %d timeout\n", i);
    }
    fflush(stdout);
    close(c);
  }
  for (int i = 0; i < n && !stop; i++) {
    struct pollfd p = { .fd = fd[i], .events = POLLIN };
    socklen_t sl = sizeof src[i];
    if (poll(&p, 1, 5000) != 1 || recvfrom(fd[i], buf, sizeof buf, 0, (struct sockaddr *)&src[i], &sl) < 0) {
      printf("source %d none\n", i);
      fflush(stdout);
      return 1;
    }
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &src[i].sin_addr, ip, sizeof ip);
    printf("source %d %s:%d\n", i, ip, ntohs(src[i].sin_port));
    fflush(stdout);
  }
  printf("ready\n");
  fflush(stdout);
  static const unsigned char keepalive[2] = { 0x13, 0x37 };
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (!stop) {
    for (int i = 0; i < n; i++) sendto(fd[i], keepalive, sizeof keepalive, 0, (struct sockaddr *)&src[i], sizeof src[i]);
    next.tv_nsec += 250000000L;
    if (next.tv_nsec >= 1000000000L) { next.tv_sec++; next.tv_nsec -= 1000000000L; }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR && !stop) {}
  }
  return 0;
}
