/*
 * drain.c - stopping by messages, not by sessions (issue 11).
 *
 * On SIGTERM (mg_milter_drain_and_stop, called by the control thread):
 * new connections and new messages are refused 421 4.3.2 (callbacks.c);
 * messages in end-of-message finish with their real verdict (up to
 * max_processing_time and a margin); messages still being received get
 * shutdown_timeout seconds; sessions with no message are not waited for.
 * Then libmilter is stopped and its listener woken at once (it notices a
 * stop only every 5 s otherwise), so smfi_main returns and the process
 * exits: the MTA sees the idle sessions' connections close and answers
 * their next command with its milter_default_action (tempfail: 451).  A
 * milter cannot speak first, so an idle session is not told anything
 * before that.
 */
#include "config.h"

#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mg_log.h"
#include "milter.h"

#define DRAIN_POLL_US      (20 * 1000)
#define DRAIN_EOM_MARGIN_S 5 /* past max_processing_time: the last library call of a step */

/* Wait while messages are in end-of-message (until eom_end) or being
 * received (until recv_end); returns the messages still in flight. */
static int drain_wait(gint64 eom_end, gint64 recv_end)
{
	for (;;) {
		gint64 now = g_get_monotonic_time();
		int in_eom = mg_milter_messages_in_eom(), all = mg_milter_messages();
		gboolean wait_eom = in_eom > 0 && now < eom_end;
		gboolean wait_recv = all > in_eom && now < recv_end;
		if (!wait_eom && !wait_recv)
			return all;
		g_usleep(DRAIN_POLL_US);
	}
}

/* Connect to our own listening socket so that libmilter's listener leaves
 * its select(): smfi_stop() waits for the listener's lock, which the
 * listener holds in select() for up to 5 s.  Best effort. */
static void wake_listener(const char *spec)
{
	int fd = -1;
	if (g_str_has_prefix(spec, "unix:") || g_str_has_prefix(spec, "local:")) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		g_strlcpy(sun.sun_path, strchr(spec, ':') + 1, sizeof sun.sun_path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
			mg_debug(NULL, "drain: cannot wake the listener on %s", spec);
	} else if (g_str_has_prefix(spec, "inet:") || g_str_has_prefix(spec, "inet6:")) {
		const char *port = strchr(spec, ':') + 1, *at = strchr(port, '@');
		char *p = at ? g_strndup(port, (gsize)(at - port)) : g_strdup(port);
		char *host = g_strdup(at ? at + 1 : (g_str_has_prefix(spec, "inet6:") ? "::1" : "127.0.0.1"));
		g_strstrip(g_strdelimit(host, "[]", ' '));
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
		if (getaddrinfo(host, p, &hints, &ai) == 0 && ai) {
			fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
				mg_debug(NULL, "drain: cannot wake the listener on %s", spec);
			freeaddrinfo(ai);
		}
		g_free(p);
		g_free(host);
	}
	if (fd >= 0)
		close(fd);
}

static gint stop_done, stop_asked;

gboolean mg_milter_stop_requested(void)
{
	return g_atomic_int_get(&stop_asked) != 0;
}

static gpointer stop_thread(gpointer unused)
{
	(void)unused;
	smfi_stop();
	g_atomic_int_set(&stop_done, 1);
	return NULL;
}

/* smfi_stop() in a thread of its own, the listener woken until it returns. */
static void stop_now(const char *listen_spec)
{
	g_atomic_int_set(&stop_asked, 1);
	GThread *th = g_thread_new("mg-stop", stop_thread, NULL);
	for (int i = 0; i < 300 && !g_atomic_int_get(&stop_done); i++) {
		wake_listener(listen_spec);
		g_usleep(DRAIN_POLL_US);
	}
	g_thread_join(th);
}

void mg_milter_drain_and_stop(const char *listen_spec)
{
	mg_milter_drain();
	struct mg_config *cfg = mg_milter_config();
	gint64 now = g_get_monotonic_time(), eom_end = now, recv_end = now;
	if (cfg) {
		eom_end += (cfg->max_processing_time + DRAIN_EOM_MARGIN_S) * G_USEC_PER_SEC;
		recv_end += cfg->shutdown_timeout * G_USEC_PER_SEC;
		mg_config_unref(cfg);
	}
	mg_info(NULL, "stopping: %d messages in flight (%d in end-of-message), %d sessions", mg_milter_messages(),
		mg_milter_messages_in_eom(), mg_milter_sessions());
	int left = drain_wait(eom_end, recv_end);
	if (left > 0)
		mg_warn(NULL, "stopping with %d messages still being received (shutdown_timeout): the MTA keeps them",
			left);
	stop_now(listen_spec);
}
