/* test_listen - TCP_NODELAY on the milter's listening socket reaches every
 * accepted connection (issue 15: no delayed-ACK stall on inet sockets). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "milter.h"

/* Accept one loopback connection on lfd; TCP_NODELAY of the accepted end. */
static int accepted_nodelay(int lfd)
{
	struct sockaddr_in a = {0};
	socklen_t al = sizeof a;
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &al), 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, al), 0);
	int s = accept(lfd, NULL, NULL), on = -1;
	socklen_t ol = sizeof on;
	assert_true(s >= 0);
	assert_int_equal(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, &ol), 0);
	close(s);
	close(c);
	return on;
}

static int listening_inet(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void test_nodelay_inherited(void **state)
{
	(void)state;
	int before = listening_inet();
	assert_int_equal(accepted_nodelay(before), 0); /* the kernel's default: Nagle on */
	int other = socket(AF_INET, SOCK_STREAM, 0);   /* not listening: left alone */
	int local = socket(AF_UNIX, SOCK_STREAM, 0);   /* unix sockets have no TCP options */
	struct sockaddr_un u = {.sun_family = AF_UNIX};
	assert_int_equal(bind(local, (struct sockaddr *)&u, sizeof(sa_family_t)), 0); /* autobind */
	assert_int_equal(listen(local, 1), 0);
	mg_milter_listen_nodelay();
	assert_int_equal(accepted_nodelay(before), 1);
	int on = -1;
	socklen_t ol = sizeof on;
	assert_int_equal(getsockopt(other, IPPROTO_TCP, TCP_NODELAY, &on, &ol), 0);
	assert_int_equal(on, 0);
	close(local);
	close(other);
	close(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_nodelay_inherited)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
