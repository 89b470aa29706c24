/* A fake usrvclock server (PROTOCOL.md 7.1) for the usrvclock source test, no network involved:
 *   clock-usrvclock-server <socket path> <shift ns> <freq scale> [bad]
 * Binds the path, answers each new subscriber at once, pushes a frame to every subscriber each
 * 100 ms and forgets one whose send fails. The frame: CLOCK_TAI, last_sync = now, the given shift
 * and scale. With "bad", each subscriber first gets a frame with a wrong magic. */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 32

static void frame(uint8_t out[40], int64_t shift, double scale, int bad) {
  struct timespec ts;
  clock_gettime(CLOCK_TAI, &ts);
  int64_t now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
  uint16_t head[4] = {bad ? 0x1234 : 0x4356, 1, 0, 1};
  int64_t clock_id = CLOCK_TAI;
  memcpy(out, head, 8);
  memcpy(out + 8, &clock_id, 8);
  memcpy(out + 16, &now, 8);
  memcpy(out + 24, &shift, 8);
  memcpy(out + 32, &scale, 8);
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  int64_t shift = strtoll(argv[2], NULL, 10);
  double scale = strtod(argv[3], NULL);
  int bad = argc > 4 && strcmp(argv[4], "bad") == 0;
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un self = {.sun_family = AF_UNIX};
  strncpy(self.sun_path, argv[1], sizeof(self.sun_path) - 1);
  unlink(argv[1]);
  if (bind(fd, (struct sockaddr *)&self, sizeof(self)) != 0) return 1;
  struct sockaddr_un clients[MAX_CLIENTS];
  socklen_t lens[MAX_CLIENTS];
  int n = 0;
  uint8_t f[40];
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      struct sockaddr_un from;
      socklen_t len = sizeof(from);
      uint8_t buf[64];
      if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) >= 0 && n < MAX_CLIENTS) {
        clients[n] = from;
        lens[n++] = len;
        if (bad) {
          frame(f, shift, scale, 1);
          sendto(fd, f, 40, 0, (struct sockaddr *)&from, len);
        }
        frame(f, shift, scale, 0);
        sendto(fd, f, 40, 0, (struct sockaddr *)&from, len);
      }
    }
    frame(f, shift, scale, 0);
    for (int i = 0; i < n; i++) {
      if (sendto(fd, f, 40, MSG_DONTWAIT, (struct sockaddr *)&clients[i], lens[i]) < 0) {
        clients[i] = clients[--n];
        lens[i] = lens[n];
        i--;
      }
    }
  }
}
