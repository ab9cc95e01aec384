// Serves one connection on the preopened listening socket (fd 3): reads a line and sends it
// back upper-cased, then shuts the connection down.
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(void) {
  int conn = accept(3, NULL, NULL);
  CHECK(conn >= 0);
  char buf[64] = {0};
  ssize_t n = recv(conn, buf, sizeof buf - 1, 0);
  CHECK(n > 0);
  for (ssize_t i = 0; i < n; ++i) {
    if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
  }
  CHECK(send(conn, buf, (size_t)n, 0) == n);
  CHECK(shutdown(conn, SHUT_RDWR) == 0);
  // A socket call on something that is not a socket is refused.
  CHECK_ERRNO(shutdown(1, SHUT_RDWR), ENOTSOCK);
  close(conn);
  return 0;
}
