/*
 * main.c - mugaika-milter: options, startup, privileges, signals.
 *
 * Startup order: load and check the configuration (refuse to start on any
 * error) -> create the milter socket under a tight umask -> detach (unless
 * -f) -> write the pid file -> drop privileges (setgroups, setresgid,
 * setresuid; then check that root cannot come back) -> clean what a killed
 * run left (libclamav's temporary files, the quarantine's crash journal) ->
 * run libmilter in its own thread.
 *
 * Signals: libmilter's own signal thread would stop everything at once on
 * SIGHUP or SIGTERM (its worker pool stops serving sessions in flight), so
 * the main thread keeps SIGHUP, SIGTERM and SIGINT unblocked with its own
 * handler (Linux delivers a process signal to the main thread when it
 * accepts it) and hands them to a control thread through a pipe:
 *   SIGHUP   reload: a bad new file is logged, the old configuration stays;
 *   SIGTERM  drain (drain.c): new connections and new messages are answered
 *            with a temporary failure, messages in end-of-message finish,
 *            messages still being received get shutdown_timeout, sessions
 *            without a message are not waited for; then libmilter is
 *            stopped and the process exits.
 * Between signals the control thread lets the scanner check its database
 * directory every scan_db_check_interval seconds (mg_scan_check_database).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_log.h"
#include "mg_scan.h"
#include "mg_store.h"
#include "milter.h"

struct milter_opts {
	const char *conf, *socket, *pid_file, *user;
	gboolean foreground, check_only;
};

static int reload_pipe[2] = {-1, -1};
static const char *conf_path;
static const char *listen_spec;                /* the milter socket, for mg_milter_drain_and_stop */
static volatile sig_atomic_t hup_pid, hup_uid; /* who sent the last SIGHUP (the admin log names them) */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mugaika-milter [-c CONF] [-p SOCKET] [-f] [-P PIDFILE] [-u USER] [-n]\n"
		"  -c CONF     configuration file (default %s/mugaika/mugaika.conf)\n"
		"  -p SOCKET   milter socket, overrides `socket`: unix:/path or inet:PORT@127.0.0.1\n"
		"  -f          stay in the foreground and log to standard error\n"
		"  -P PIDFILE  write the process id here, overrides `pid_file`\n"
		"  -u USER     drop privileges to USER after the socket is made, overrides `user`\n"
		"  -n          check the configuration and exit (0 valid, 78 invalid)\n"
		"Signals: SIGHUP reloads the configuration; SIGTERM stops after mail in flight.\n",
		SYSCONFDIR);
}

static int parse_args(int argc, char **argv, struct milter_opts *o)
{
	int c;
	while ((c = getopt(argc, argv, "c:p:fP:u:nhV")) != -1) {
		switch (c) {
		case 'c': o->conf = optarg; break;
		case 'p': o->socket = optarg; break;
		case 'f': o->foreground = TRUE; break;
		case 'P': o->pid_file = optarg; break;
		case 'u': o->user = optarg; break;
		case 'n': o->check_only = TRUE; break;
		case 'V': printf("mugaika-milter %s\n", PACKAGE_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 64;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 64;
	}
	return 0;
}

static gboolean drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		mg_err(NULL, "user %s: no such user", user);
		return FALSE;
	}
	if (setgroups(1, &pw->pw_gid) != 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
		mg_err(NULL, "dropping privileges to %s: %s", user, g_strerror(errno));
		return FALSE;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		mg_err(NULL, "privileges could be regained after dropping them; refusing to run");
		return FALSE;
	}
	return TRUE;
}

static gboolean write_pid_file(const char *path)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		mg_err(NULL, "pid file %s: %s", path, g_strerror(errno));
		return FALSE;
	}
	int n = g_snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	gboolean ok = write(fd, buf, (size_t)n) == n;
	close(fd);
	return ok;
}

static void on_signal(int sig, siginfo_t *si, void *unused)
{
	int saved = errno;
	(void)unused;
	if (sig == SIGHUP && si) {
		hup_pid = si->si_pid;
		hup_uid = (sig_atomic_t)si->si_uid;
	}
	if (reload_pipe[1] >= 0 && write(reload_pipe[1], sig == SIGHUP ? "h" : "t", 1) < 0) {
		/* nothing to do: the pipe is full, a request is already pending */
	}
	errno = saved;
}

/* Wait for a signal ('h' reload, 't' stop); every scan_db_check_interval
 * seconds meanwhile, let the scanner reload its database if the directory
 * changed (issue 5).  Returns 0 when the pipe is gone. */
static char control_wait(void)
{
	char c;
	for (;;) {
		gint64 every = mg_scan_check_interval();
		struct pollfd pfd = {.fd = reload_pipe[0], .events = POLLIN};
		int n = poll(&pfd, 1, every > 0 ? (int)MIN(every, 86400) * 1000 : -1);
		if (n > 0)
			return read(reload_pipe[0], &c, 1) == 1 ? c : 0;
		if (n == 0)
			mg_scan_check_database();
		else if (errno != EINTR)
			return 0;
	}
}

static void *reload_thread(void *arg)
{
	char c;
	while ((c = control_wait()) != 0) {
		if (c == 't') {
			mg_milter_drain_and_stop(listen_spec); /* drain.c */
			return NULL;
		}
		GError *err = NULL;
		struct mg_config *cfg = mg_config_load(conf_path, &err);
		if (cfg && !mg_pipeline_config_ready(cfg, &err)) { /* issue 16: internal_domain */
			mg_config_unref(cfg);
			cfg = NULL;
		}
		if (!cfg || !mg_scan_reload(cfg, &err)) {
			mg_err(NULL, "reload refused, keeping the configuration in force: %s", err->message);
			mg_milter_account_refused(conf_path, err->message, (pid_t)hup_pid, (uid_t)hup_uid);
			g_error_free(err);
			if (cfg)
				mg_config_unref(cfg);
			continue;
		}
		mg_log_set_level(cfg->log_level);
		mg_milter_config_set(cfg);
		mg_milter_account_reloaded(cfg, conf_path, (pid_t)hup_pid, (uid_t)hup_uid);
		mg_info(NULL, "configuration reloaded from %s", conf_path ? conf_path : "(defaults)");
	}
	return NULL;
}

static void *milter_thread(void *arg)
{
	int *rc = arg;
	/* libmilter's listener can lose a race with the stop we asked for: it
	 * finds the listening socket already closed by smfi_stop() and returns
	 * MI_FAILURE ("listenfd=-1 corrupted").  After our own drained stop
	 * that is not an error of the run. */
	int r = smfi_main();
	*rc = r == MI_SUCCESS || mg_milter_stop_requested() ? 0 : 1;
	return NULL;
}

static gboolean open_socket(const char *socket, int64_t timeout)
{
	if (g_str_has_prefix(socket, "unix:") || g_str_has_prefix(socket, "local:"))
		unlink(strchr(socket, ':') + 1); /* a stale socket from a previous run */
	mode_t old = umask(007);
	gboolean ok = smfi_setconn((char *)socket) == MI_SUCCESS && smfi_settimeout((int)timeout) == MI_SUCCESS &&
		      smfi_register(mg_milter_desc) == MI_SUCCESS && smfi_opensocket(true) == MI_SUCCESS;
	umask(old);
	if (!ok)
		mg_err(NULL, "cannot create the milter socket %s", socket);
	else if (g_str_has_prefix(socket, "inet"))
		mg_milter_listen_nodelay();
	return ok;
}

/* Start libmilter and the control thread with all signals blocked in them;
 * the main thread then takes SIGHUP, SIGTERM and SIGINT. */
static int run(void)
{
	static const int handled[] = {SIGHUP, SIGTERM, SIGINT};
	sigset_t all, hup;
	pthread_t mt, rt;
	int rc = 1;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (pipe(reload_pipe) != 0 || pthread_create(&rt, NULL, reload_thread, NULL) != 0 ||
	    pthread_create(&mt, NULL, milter_thread, &rc) != 0) {
		mg_err(NULL, "cannot start threads: %s", g_strerror(errno));
		return 1;
	}
	struct sigaction sa = {.sa_sigaction = on_signal};
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	sigemptyset(&hup);
	for (gsize i = 0; i < G_N_ELEMENTS(handled); i++) {
		sigaction(handled[i], &sa, NULL);
		sigaddset(&hup, handled[i]);
	}
	pthread_sigmask(SIG_UNBLOCK, &hup, NULL);
	pthread_join(mt, NULL);
	/* sessions without a message are not waited for: exiting closes them */
	mg_info(NULL, "stopped (%d messages in flight, %d sessions closed)", mg_milter_messages(),
		mg_milter_sessions());
	return rc;
}

/* Issue 11: the directories the daemon writes must be usable by the user it
 * runs as - an unusable libclamav temporary directory would make every
 * scan "clean".  Refused at -n and at start, naming the key and why. */
static gboolean dirs_usable(const struct mg_config *cfg, const char *user)
{
	GError *err = NULL;
	if (mg_scan_check_tmpdir(cfg, user, &err))
		return TRUE;
	fprintf(stderr, "mugaika-milter: %s: %s\n", cfg->path, err->message);
	g_error_free(err);
	return FALSE;
}

/* Issue 11: what a killed earlier run left behind, cleaned (and logged)
 * once this process runs as its user, before the first message. */
static void clean_after_crash(const struct mg_config *cfg, gint64 started_us)
{
	mg_scan_cleanup_tmpdir(cfg, started_us);
	mg_store_reconcile(cfg, started_us);
}

int main(int argc, char **argv)
{
	gint64 started_us = g_get_real_time();
	struct milter_opts o = {0};
	GError *err = NULL;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	conf_path = o.conf ? o.conf
			   : (access(SYSCONFDIR "/mugaika/mugaika.conf", F_OK) == 0 ? SYSCONFDIR "/mugaika/mugaika.conf"
										    : NULL);
	mg_pipeline_global_init(); /* before the first configuration is loaded */
	struct mg_config *cfg = mg_config_load(conf_path, &err);
	if (cfg && !mg_pipeline_config_ready(cfg, &err)) { /* issue 16: internal_domain */
		mg_config_unref(cfg);
		cfg = NULL;
	}
	if (!cfg) {
		fprintf(stderr, "mugaika-milter: %s\n", err->message);
		return 78;
	}
	const char *user = o.user ? o.user : cfg->user;
	if (!dirs_usable(cfg, user)) {
		mg_config_unref(cfg);
		return 78;
	}
	if (o.check_only) {
		printf("%s: configuration is valid\n", cfg->path);
		mg_config_unref(cfg);
		return 0;
	}
	mg_log_init("mugaika-milter", o.foreground);
	mg_log_set_level(cfg->log_level);
	if (!mg_milter_account_init(cfg, &err)) { /* as root: the audit keys (issue 17) */
		fprintf(stderr, "mugaika-milter: %s\n", err->message);
		return 78;
	}
	if (!mg_scan_global_init(cfg, &err)) {
		fprintf(stderr, "mugaika-milter: %s\n", err->message);
		return 78;
	}
	mg_milter_config_set(cfg);
	const char *pid_file = o.pid_file ? o.pid_file : cfg->pid_file;
	listen_spec = o.socket ? o.socket : cfg->socket;
	if (!open_socket(listen_spec, cfg->milter_timeout))
		return 1;
	if (!o.foreground && daemon(0, 0) != 0) {
		mg_err(NULL, "cannot detach: %s", g_strerror(errno));
		return 1;
	}
	if (pid_file && *pid_file && !write_pid_file(pid_file))
		return 1;
	if (user && *user && !drop_privileges(user))
		return 1;
	clean_after_crash(cfg, started_us);
	mg_info(NULL, "mugaika-milter %s started on %s", PACKAGE_VERSION, o.socket ? o.socket : cfg->socket);
	mg_milter_account_started(cfg, conf_path);
	rc = run();
	mg_milter_account_stop();
	if (pid_file && *pid_file)
		unlink(pid_file);
	mg_scan_global_shutdown();
	mg_milter_config_set(NULL);
	return rc;
}
