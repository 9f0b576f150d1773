/*
 * shim.c - fault injection for the tests of issue 11, by LD_PRELOAD.
 *
 * Why LD_PRELOAD and not hooks in the code: the tests exercise the very
 * binaries that are shipped (and today's binaries, to show that a test fails
 * before its fix), and the production code carries no test switch.  Each
 * wrapper below stands in front of one library call whose failure must
 * never read as "nothing found"; when armed it returns the library's own
 * failure value (NULL, -1, an error code) instead of calling the library.
 *
 * Configuration (environment of the process under test):
 *   MG_SHIM=POINT[:ACTION[:N[:ARG]]],...
 *       POINT   the function name (see the table at the end)
 *       ACTION  fail (default): return the failure value;
 *               kill: SIGKILL the process (a crash at that point);
 *               sleep: wait ARG milliseconds, then call the real function
 *       N       0 or absent: every call; K: the K-th call only; K+: the
 *               K-th call and every one after it
 *       ARG     sleep: milliseconds; g_try_*: fail only sizes >= ARG bytes
 *   MG_SHIM_GATE=PATH   faults fire only while PATH exists, or, when PATH is
 *                       a directory, while PATH/POINT exists (a test turns
 *                       faults on and off without restarting the process)
 *   MG_SHIM_LOG=FILE    one line per fault fired ("POINT ACTION call#"), so
 *                       that a test can tell a fault that never fired
 *   MG_SHIM_ENOSPC=DIR  with POINT "enospc": write(2) and friends on files
 *                       under DIR, and creating files or directories there,
 *                       fail with ENOSPC (a full disk where tmpfs cannot be
 *                       mounted)
 * Calls are counted from the first one after start, per point, whether or
 * not the gate is open.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>

#define MAX_RULES 16

enum act { ACT_FAIL, ACT_KILL, ACT_SLEEP };

struct rule {
	char point[64];
	enum act act;
	long n;   /* 0 = every call */
	int from; /* the N-th call and all after it */
	unsigned long arg;
	unsigned long calls;
};

static struct rule rules[MAX_RULES];
static int n_rules;
static const char *gate, *log_path, *enospc_dir;
static size_t enospc_len;

static void parse_rule(char *spec)
{
	struct rule *r = &rules[n_rules];
	char *f[4] = {spec, NULL, NULL, NULL};
	for (int i = 1; i < 4; i++) {
		char *c = f[i - 1] ? strchr(f[i - 1], ':') : NULL;
		if (!c)
			break;
		*c = '\0';
		f[i] = c + 1;
	}
	memset(r, 0, sizeof *r);
	snprintf(r->point, sizeof r->point, "%s", f[0]);
	if (f[1] && strcmp(f[1], "kill") == 0)
		r->act = ACT_KILL;
	else if (f[1] && strcmp(f[1], "sleep") == 0)
		r->act = ACT_SLEEP;
	if (f[2]) {
		r->n = strtol(f[2], NULL, 10);
		r->from = strchr(f[2], '+') != NULL;
	}
	if (f[3])
		r->arg = strtoul(f[3], NULL, 10);
	if (r->point[0])
		n_rules++;
}

__attribute__((constructor)) static void shim_init(void)
{
	const char *spec = getenv("MG_SHIM");
	gate = getenv("MG_SHIM_GATE");
	log_path = getenv("MG_SHIM_LOG");
	enospc_dir = getenv("MG_SHIM_ENOSPC");
	enospc_len = enospc_dir ? strlen(enospc_dir) : 0;
	if (!spec)
		return;
	char *copy = strdup(spec), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok && n_rules < MAX_RULES; tok = strtok_r(NULL, ",", &save))
		parse_rule(tok);
	free(copy);
}

static void shim_log(const struct rule *r, unsigned long call)
{
	if (!log_path)
		return;
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	char line[128];
	static const char *names[] = {"fail", "kill", "sleep"};
	int n = snprintf(line, sizeof line, "%s %s %lu\n", r->point, names[r->act], call);
	if (write(fd, line, (size_t)n) < 0) {
		/* nothing to do */
	}
	close(fd);
}

/* MG_SHIM_GATE: a file (all points) or a directory (one file per point). */
static int gate_open(const char *point)
{
	struct stat st;
	char path[4096];
	if (!gate)
		return 1;
	if (stat(gate, &st) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return 1;
	snprintf(path, sizeof path, "%s/%s", gate, point);
	return access(path, F_OK) == 0;
}

/* The rule for this call of `point` when it fires now, else NULL.  A kill
 * or sleep is carried out here; the caller handles "fail". */
static const struct rule *fire(const char *point, unsigned long size)
{
	for (int i = 0; i < n_rules; i++) {
		struct rule *r = &rules[i];
		if (strcmp(r->point, point) != 0)
			continue;
		unsigned long call = __atomic_add_fetch(&r->calls, 1, __ATOMIC_SEQ_CST);
		if (r->n && (r->from ? call < (unsigned long)r->n : call != (unsigned long)r->n))
			return NULL;
		if (!gate_open(point))
			return NULL;
		if (r->act == ACT_FAIL && r->arg && size < r->arg)
			return NULL;
		shim_log(r, call);
		if (r->act == ACT_KILL)
			kill(getpid(), SIGKILL);
		if (r->act == ACT_SLEEP) {
			struct timespec ts = {(time_t)(r->arg / 1000), (long)(r->arg % 1000) * 1000000L};
			nanosleep(&ts, NULL);
			return NULL;
		}
		return r;
	}
	return NULL;
}

#define REAL(name) ((__typeof__(&name))real_sym(#name))
static void *real_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p) {
		fprintf(stderr, "shim: %s not found\n", name);
		abort();
	}
	return p;
}

/* ---- libmagic ---- */
const char *magic_buffer(void *ms, const void *buf, size_t len);
const char *magic_buffer(void *ms, const void *buf, size_t len)
{
	if (fire("magic_buffer", len))
		return NULL;
	return REAL(magic_buffer)(ms, buf, len);
}

/* ---- libclamav ---- */
int cl_scanmap_callback(void *map, const char *name, const char **virname, unsigned long *scanned, const void *engine,
			void *opts, void *ctx);
int cl_scanmap_callback(void *map, const char *name, const char **virname, unsigned long *scanned, const void *engine,
			void *opts, void *ctx)
{
	if (fire("cl_scanmap_callback", 0))
		return 20; /* CL_EMEM */
	return REAL(cl_scanmap_callback)(map, name, virname, scanned, engine, opts, ctx);
}

/* ---- libmilter: the MTA refusing a change ---- */
int smfi_replacebody(void *ctx, unsigned char *data, int len);
int smfi_replacebody(void *ctx, unsigned char *data, int len)
{
	if (fire("smfi_replacebody", 0))
		return -1; /* MI_FAILURE */
	return REAL(smfi_replacebody)(ctx, data, len);
}

int smfi_addheader(void *ctx, char *name, char *value);
int smfi_addheader(void *ctx, char *name, char *value)
{
	if (fire("smfi_addheader", 0))
		return -1;
	return REAL(smfi_addheader)(ctx, name, value);
}

/* ---- libxml2 ---- */
void *xmlReadMemory(const char *buf, int size, const char *url, const char *enc, int opts);
void *xmlReadMemory(const char *buf, int size, const char *url, const char *enc, int opts)
{
	if (fire("xmlReadMemory", (unsigned long)size))
		return NULL;
	return REAL(xmlReadMemory)(buf, size, url, enc, opts);
}

void *htmlCreateMemoryParserCtxt(const char *buf, int size);
void *htmlCreateMemoryParserCtxt(const char *buf, int size)
{
	if (fire("htmlCreateMemoryParserCtxt", (unsigned long)size))
		return NULL;
	return REAL(htmlCreateMemoryParserCtxt)(buf, size);
}

/* ---- libzip (ZIP_ER_MEMORY = 14) ---- */
void zip_error_set(void *ze, int zip_err, int sys_err);
void *zip_source_buffer_create(const void *data, unsigned long long len, int freep, void *ze);
void *zip_source_buffer_create(const void *data, unsigned long long len, int freep, void *ze)
{
	if (fire("zip_source_buffer_create", (unsigned long)len)) {
		if (ze)
			zip_error_set(ze, 14, 0);
		return NULL;
	}
	return REAL(zip_source_buffer_create)(data, len, freep, ze);
}

void *zip_open_from_source(void *src, int flags, void *ze);
void *zip_open_from_source(void *src, int flags, void *ze)
{
	if (fire("zip_open_from_source", 0)) {
		if (ze)
			zip_error_set(ze, 14, 0);
		return NULL;
	}
	return REAL(zip_open_from_source)(src, flags, ze);
}

/* ---- libarchive (ARCHIVE_FATAL = -30) ---- */
void *archive_read_new(void);
void *archive_read_new(void)
{
	if (fire("archive_read_new", 0))
		return NULL;
	return REAL(archive_read_new)();
}

void archive_set_error(void *a, int err, const char *fmt, ...);
int archive_read_open_memory(void *a, const void *buf, size_t len);
int archive_read_open_memory(void *a, const void *buf, size_t len)
{
	if (fire("archive_read_open_memory", len)) {
		archive_set_error(a, ENOMEM, "Can't allocate data for the archive (fault injected)");
		return -30;
	}
	return REAL(archive_read_open_memory)(a, buf, len);
}

/* ---- iconv (what GLib's g_iconv_open and g_convert use) ---- */
void *iconv_open(const char *to, const char *from);
void *iconv_open(const char *to, const char *from)
{
	if (fire("iconv_open", 0)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	return REAL(iconv_open)(to, from);
}

/* ---- qpdf: a read that fails for a reason that is not the file's ---- */
static __thread int qpdf_faulted;
int qpdf_read_memory(void *q, const char *desc, const char *buf, unsigned long long len, const char *pw);
int qpdf_read_memory(void *q, const char *desc, const char *buf, unsigned long long len, const char *pw)
{
	if (fire("qpdf_read_memory", (unsigned long)len)) {
		qpdf_faulted = 1;
		return 2; /* QPDF_ERRORS */
	}
	qpdf_faulted = 0;
	return REAL(qpdf_read_memory)(q, desc, buf, len, pw);
}

int qpdf_get_error_code(void *q, void *e);
int qpdf_get_error_code(void *q, void *e)
{
	if (qpdf_faulted) {
		qpdf_faulted = 0;
		return 2; /* qpdf_e_system: I/O or memory */
	}
	return REAL(qpdf_get_error_code)(q, e);
}

/* ---- image codecs ---- */
void *png_create_read_struct(const char *ver, void *err_ptr, void *err_fn, void *warn_fn);
void *png_create_read_struct(const char *ver, void *err_ptr, void *err_fn, void *warn_fn)
{
	if (fire("png_create_read_struct", 0))
		return NULL;
	return REAL(png_create_read_struct)(ver, err_ptr, err_fn, warn_fn);
}

void *DGifOpen(void *user, void *read_fn, int *error);
void *DGifOpen(void *user, void *read_fn, int *error)
{
	if (fire("DGifOpen", 0)) {
		if (error)
			*error = 109; /* D_GIF_ERR_NOT_ENOUGH_MEM */
		return NULL;
	}
	return REAL(DGifOpen)(user, read_fn, error);
}

void *TIFFClientOpenExt(const char *name, const char *mode, void *h, void *rd, void *wr, void *sk, void *cl, void *sz,
			void *map, void *unmap, void *opts);
void *TIFFClientOpenExt(const char *name, const char *mode, void *h, void *rd, void *wr, void *sk, void *cl, void *sz,
			void *map, void *unmap, void *opts)
{
	if (fire("TIFFClientOpenExt", 0))
		return NULL;
	return REAL(TIFFClientOpenExt)(name, mode, h, rd, wr, sk, cl, sz, map, unmap, opts);
}

unsigned char *WebPDecodeRGBA(const unsigned char *data, size_t size, int *w, int *h);
unsigned char *WebPDecodeRGBA(const unsigned char *data, size_t size, int *w, int *h)
{
	if (fire("WebPDecodeRGBA", size))
		return NULL;
	return REAL(WebPDecodeRGBA)(data, size, w, h);
}

/* libjpeg reports every failure through error_exit (a longjmp in the
 * caller's handler): raise the one for memory. */
int jpeg_read_header(j_decompress_ptr cinfo, boolean require_image);
int jpeg_read_header(j_decompress_ptr cinfo, boolean require_image)
{
	if (fire("jpeg_read_header", 0)) {
		cinfo->err->msg_code = JERR_OUT_OF_MEMORY;
		cinfo->err->error_exit((j_common_ptr)cinfo);
	}
	return REAL(jpeg_read_header)(cinfo, require_image);
}

/* ---- GLib's failure-returning allocator ---- */
void *g_try_malloc(size_t n);
void *g_try_malloc(size_t n)
{
	if (fire("g_try_malloc", n))
		return NULL;
	return REAL(g_try_malloc)(n);
}

void *g_try_realloc(void *p, size_t n);
void *g_try_realloc(void *p, size_t n)
{
	if (fire("g_try_realloc", n))
		return NULL;
	return REAL(g_try_realloc)(p, n);
}

/* ---- a full disk under MG_SHIM_ENOSPC ---- */
static int fd_under_dir(int fd)
{
	char link[64], path[4096];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return enospc_len && strncmp(path, enospc_dir, enospc_len) == 0;
}

static int path_under_dir(const char *p)
{
	return enospc_len && p && strncmp(p, enospc_dir, enospc_len) == 0;
}

static int enospc_fd(int fd)
{
	if (!enospc_len || !fd_under_dir(fd) || !fire("enospc", 0))
		return 0;
	errno = ENOSPC;
	return 1;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (enospc_fd(fd))
		return -1;
	return REAL(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (enospc_fd(fd))
		return -1;
	return REAL(pwrite)(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	if (enospc_fd(fd))
		return -1;
	return REAL(writev)(fd, iov, cnt);
}

int mkdir(const char *p, mode_t mode)
{
	if (path_under_dir(p) && fire("enospc", 0)) {
		errno = ENOSPC;
		return -1;
	}
	return REAL(mkdir)(p, mode);
}

int open(const char *p, int flags, ...)
{
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if ((flags & O_CREAT) && path_under_dir(p) && access(p, F_OK) != 0 && fire("enospc", 0)) {
		errno = ENOSPC;
		return -1;
	}
	return REAL(open)(p, flags, mode);
}
