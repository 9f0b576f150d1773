/*
 * main.c - mugaika-milter: options, startup, privileges, signals.
 *
 * Startup order: load and check the configuration (refuse to start on any
 * error) -> check what it needs of this machine (issue 11: libclamav's
 * temporary directory; issue 14, mg_preflight_check: user, directories,
 * socket directory; exit 78 naming each problem) -> load the signatures ->
 * create the milter socket under a tight umask and give it
 * socket_owner/socket_group/socket_mode -> detach (unless -f) -> write the
 * pid file -> drop privileges (setgroups, setresgid, setresuid; then check
 * that root cannot come back; nothing to drop when already running as
 * `user`, e.g. systemd's User=) -> clean what a killed run left
 * (libclamav's temporary files, the quarantine's crash journal) -> READY=1
 * to systemd -> run libmilter in its own thread.  Every exit after the
 * socket or the pid file was made removes them (service.c).
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
static char *listen_spec;                      /* the milter socket, for mg_milter_drain_and_stop (a copy: a reload
						* releases the configuration it came from) */
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

/* SIGHUP: a new configuration and engine, or the old ones stay. */
static void reload(void)
{
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
		return;
	}
	mg_log_set_level(cfg->log_level);
	mg_milter_config_set(cfg);
	mg_milter_account_reloaded(cfg, conf_path, (pid_t)hup_pid, (uid_t)hup_uid);
	mg_info(NULL, "configuration reloaded from %s", conf_path ? conf_path : "(defaults)");
}

static void *reload_thread(void *arg)
{
	char c;
	while ((c = control_wait()) != 0) {
		if (c == 't') {
			mg_service_notify("STOPPING=1");       /* issue 14: systemd's notify protocol */
			mg_milter_drain_and_stop(listen_spec); /* drain.c */
			return NULL;
		}
		mg_service_notify("RELOADING=1");
		reload();
		mg_service_notify("READY=1");
		mg_status_touch();
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

static gboolean open_socket(const struct mg_config *cfg, const char *socket)
{
	GError *err = NULL;
	if (!mg_service_socket_prepare(socket, &err)) /* issue 14: the directory, a stale socket */
		goto fail;
	mode_t old = umask(007);
	errno = 0;
	gboolean ok = smfi_setconn((char *)socket) == MI_SUCCESS &&
		      smfi_settimeout((int)cfg->milter_timeout) == MI_SUCCESS &&
		      smfi_register(mg_milter_desc) == MI_SUCCESS && smfi_opensocket(true) == MI_SUCCESS;
	int e = errno;
	umask(old);
	if (!ok) {
		mg_err(NULL, "cannot create the milter socket %s: %s", socket, e ? g_strerror(e) : "libmilter failed");
		return FALSE;
	}
	if (g_str_has_prefix(socket, "inet"))
		mg_milter_listen_nodelay();           /* issue 15: no delayed-ACK stall */
	if (mg_service_socket_own(cfg, socket, &err)) /* socket_owner, socket_group, socket_mode */
		return TRUE;
fail:
	mg_err(NULL, "%s", err->message);
	g_error_free(err);
	return FALSE;
}

/* Start libmilter and the control thread with all signals blocked in them;
 * the main thread then takes SIGHUP, SIGTERM and SIGINT.  The handlers are
 * in place, and the main thread takes the signals, before libmilter
 * starts: a signal that came while they were held (hold_signals) reaches
 * our handler then, not libmilter's sigwait thread (which would stop
 * everything at once; a SIGHUP right after the start did). */
static int run(void)
{
	static const int handled[] = {SIGHUP, SIGTERM, SIGINT};
	sigset_t all, hup;
	pthread_t mt, rt;
	pthread_attr_t attr;
	int rc = 1;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (pipe(reload_pipe) != 0 || pthread_create(&rt, NULL, reload_thread, NULL) != 0) {
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
	/* libmilter's threads start with every signal blocked */
	if (pthread_attr_init(&attr) != 0 || pthread_attr_setsigmask_np(&attr, &all) != 0 ||
	    pthread_create(&mt, &attr, milter_thread, &rc) != 0) {
		mg_err(NULL, "cannot start threads: %s", g_strerror(errno));
		return 1;
	}
	pthread_attr_destroy(&attr);
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

static void log_finding(gboolean error, const char *text, gpointer data)
{
	(void)data;
	if (error)
		mg_err(NULL, "%s", text);
	else
		mg_info(NULL, "%s", text);
}

/* issue 14: what the configuration needs of this machine (the user, the
 * directories, the socket's directory), checked before the signatures are
 * loaded; every problem is logged with its reason. */
static gboolean preflight(const struct milter_opts *o, const struct mg_config *cfg)
{
	struct passwd *pw = getpwuid(geteuid());
	char *me = pw ? g_strdup(pw->pw_name) : NULL;
	struct mg_preflight pf = {.user = o->user, .socket = o->socket, .pid_file = o->pid_file, .socket_creator = me};
	guint errors = mg_preflight_check(cfg, &pf, log_finding, NULL);
	g_free(me);
	if (errors)
		mg_err(NULL, "%s: %u problem%s; not starting", cfg->path, errors, errors == 1 ? "" : "s");
	return errors == 0;
}

/* Socket, detach, pid file, user, then tell systemd (Type=notify) that mail
 * may come.  The names used are copied by service.c: a reload may release
 * this configuration while they are still needed at exit. */
static gboolean start_service(const struct milter_opts *o, const struct mg_config *cfg, gint64 started_us)
{
	const char *socket = o->socket ? o->socket : cfg->socket;
	GError *err = NULL;
	if (!open_socket(cfg, socket))
		return FALSE;
	if (!o->foreground && daemon(0, 0) != 0) {
		mg_err(NULL, "cannot detach: %s", g_strerror(errno));
		return FALSE;
	}
	const char *pid_file = o->pid_file ? o->pid_file : cfg->pid_file;
	const char *user = o->user ? o->user : cfg->user;
	if (!mg_service_pid_write(pid_file, user, &err) || !mg_service_become(user, &err) ||
	    !mg_status_start(cfg, pid_file, &err)) {
		mg_err(NULL, "%s", err->message);
		g_error_free(err);
		return FALSE;
	}
	clean_after_crash(cfg, started_us);
	mg_info(NULL, "mugaika-milter %s started on %s", PACKAGE_VERSION, socket);
	mg_service_notify("READY=1\nSTATUS=accepting mail");
	return TRUE;
}

/* SIGHUP, SIGTERM and SIGINT wait (blocked) until run() has its handlers:
 * READY=1 goes out before that, and threads started earlier (the alert and
 * forwarding threads of issue 17) inherit the mask, so none of them takes a
 * signal with its default action (a SIGHUP right after "started" killed the
 * daemon). */
static void hold_signals(void)
{
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
}

int main(int argc, char **argv)
{
	gint64 started_us = g_get_real_time();
	struct milter_opts o = {0};
	GError *err = NULL;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	hold_signals();
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
	/* under systemd, stderr is the journal: log through syslog there, so that
	 * lines keep their priority and facility mail (issue 14) */
	mg_log_init("mugaika-milter", o.foreground && !mg_service_stderr_is_journal());
	mg_log_set_level(cfg->log_level);
	if (!preflight(&o, cfg)) {
		mg_config_unref(cfg);
		return 78;
	}
	if (!mg_milter_account_init(cfg, &err)) { /* as root: the audit keys (issue 17) */
		fprintf(stderr, "mugaika-milter: %s\n", err->message);
		return 78;
	}
	if (!mg_scan_global_init(cfg, &err)) {
		fprintf(stderr, "mugaika-milter: %s\n", err->message);
		return 78;
	}
	mg_milter_config_set(cfg);
	listen_spec = g_strdup(o.socket ? o.socket : cfg->socket);
	if (!start_service(&o, cfg, started_us)) {
		mg_status_stop();
		mg_service_cleanup(); /* no stale socket or pid file (issue 14) */
		return 1;
	}
	mg_milter_account_started(cfg, conf_path);
	rc = run();
	mg_milter_account_stop();
	mg_status_stop();
	mg_service_cleanup();
	g_free(listen_spec);
	mg_scan_global_shutdown();
	mg_milter_config_set(NULL);
	return rc;
}
