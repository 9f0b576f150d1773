/*
 * listen.c - options of libmilter's listening socket (see milter.h).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "milter.h"
#include "mg_log.h"

/* libmilter has no call that returns its listening socket; right after
 * smfi_opensocket() it is the one listening TCP socket of this process.
 * TCP_NODELAY set there is inherited by every accepted connection (Linux).
 * Without it, the replies that end a message (header changes, the new body
 * in 64 KB pieces, then the verdict) are small writes in a row, and each
 * one after the first waits for the MTA's delayed ACK: ~40 ms a message on
 * inet sockets, never on unix sockets (bench/README.md, issue 15). */
void mg_milter_listen_nodelay(void)
{
	GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		int fd = atoi(name), on = 1, listening = 0, domain = 0;
		socklen_t ll = sizeof listening, dl = sizeof domain;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ll) != 0 || !listening ||
		    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dl) != 0 ||
		    (domain != AF_INET && domain != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0)
			mg_warn(NULL, "cannot set TCP_NODELAY on the milter socket: %s", g_strerror(errno));
		else
			mg_debug(NULL, "TCP_NODELAY on the milter socket (fd %d)", fd);
	}
	if (d)
		g_dir_close(d);
}
