// librlnas_fault.so: an LD_PRELOAD shim that makes chosen file operations fail, so that tests can
// simulate a full disk or I/O errors on chosen paths, in rlnas and in every process it starts.
//
//   RLNAS_FAULT_PATH='/tmp/t/run/*' RLNAS_FAULT_BUDGET=4096 LD_PRELOAD=build/tests/fault/librlnas_fault.so rlnas train ...
//
// Environment (read once, on the first intercepted call of each process):
//
//   RLNAS_FAULT_PATH    fnmatch(3) globs separated by ':' (flags 0, so '*' also matches '/'), matched
//                       against the file's absolute path. Unset or empty: the shim does nothing.
//                       Path-taking calls: the path is made absolute (against the cwd, or the dirfd
//                       of *at calls) and its parent directory is resolved with realpath(3) when it
//                       exists; both that and the unresolved absolute path are tried. Fd-taking calls:
//                       readlink("/proc/self/fd/N"), " (deleted)" suffix dropped; fds whose target is
//                       not an absolute path (pipes, sockets) never match. Fds 0-2 are not special.
//   RLNAS_FAULT_BUDGET  bytes that may still be written, summed over all matching files of this
//                       process, before writes fail (default 0). A write that crosses the budget
//                       writes only the bytes up to it and returns that count; once nothing is left,
//                       writes fail with -1/errno. Bytes a real write did not take are refunded.
//                       Each process (each exec) starts with the full budget.
//   RLNAS_FAULT_ERRNO   errno to fail with: a number or ENOSPC, EIO, EROFS, EACCES, EDQUOT
//                       (default ENOSPC).
//   RLNAS_FAULT_OPS     comma-separated operations to fail on matching paths (default: write):
//                         write   write, writev, pwrite(64), pwritev(64), pwritev(64)v2 (budgeted)
//                         open    open(64), openat(64), their __*_2 fortify variants, creat(64),
//                                 fopen(64), when opening for writing: O_WRONLY, O_RDWR, O_CREAT,
//                                 O_TRUNC, O_APPEND, fopen modes w, a or '+'; O_TMPFILE in DIR is
//                                 matched as DIR/O_TMPFILE. The file is not touched.
//                         fsync   fsync, fdatasync
//                         close   close, fclose: the fd/stream IS closed, then -1/EOF with errno is
//                                 returned (as Linux reports a deferred write error)
//                         rename  rename, renameat, renameat2, when the source or destination
//                                 matches; nothing is renamed
//                         all     every one of the above
//   RLNAS_FAULT_LOG     optional file to which one line "op path errno-name" is appended per injected
//                       failure (e.g. "write /tmp/t/run/metrics.jsonl ENOSPC"); short writes at the
//                       budget boundary are not failures and are not logged.
//
// Not intercepted (glibc calls these internally, bypassing LD_PRELOAD): the writes that C stdio
// (fwrite, fprintf, fputs, fflush, and fclose's final flush) makes, so `write` does not fail FILE*
// output; libstdc++'s std::ofstream writes with write/writev and is covered. Also not covered:
// mmap'ed writes, sendfile, copy_file_range, splice, io_uring, raw syscall(2), freopen, openat2,
// and statically linked programs.
//
// Build: gcc -shared -fPIC -O2 -Wall -Wextra -o librlnas_fault.so fault_shim.c -ldl
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#undef _FORTIFY_SOURCE /* its inline open() would clash with the definitions below */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* glibc's fortify entry points; declared here because <bits/fcntl2.h> is not included. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

#define EXPORT __attribute__((visibility("default")))

enum { OP_WRITE = 1, OP_OPEN = 2, OP_FSYNC = 4, OP_CLOSE = 8, OP_RENAME = 16, OP_ALL = 31 };

/* ---------------------------------------------------------------------------------------------- */
/* Re-entrancy guard and the real functions                                                       */

/* Set while the shim does its own work (config, path lookup, logging): calls made meanwhile pass
 * straight through. */
static __thread int t_busy __attribute__((tls_model("initial-exec")));
/* Set while dlsym runs, so that a call it makes (e.g. via an interposed malloc) uses the syscall
 * fallback instead of recursing into dlsym. */
static __thread int t_resolving __attribute__((tls_model("initial-exec")));

static void *real_sym(void *_Atomic *slot, const char *name) {
  void *p = atomic_load_explicit(slot, memory_order_acquire);
  if (p || t_resolving) return p;
  t_resolving = 1;
  p = dlsym(RTLD_NEXT, name);
  t_resolving = 0;
  if (p) atomic_store_explicit(slot, p, memory_order_release);
  return p;
}

#define DECLARE_REAL(name) static void *_Atomic real_##name##_slot
#define REAL(name) ((__typeof__(&name))real_sym(&real_##name##_slot, #name))

DECLARE_REAL(write);
DECLARE_REAL(writev);
DECLARE_REAL(pwrite);
DECLARE_REAL(pwrite64);
DECLARE_REAL(pwritev);
DECLARE_REAL(pwritev64);
DECLARE_REAL(pwritev2);
DECLARE_REAL(pwritev64v2);
DECLARE_REAL(open);
DECLARE_REAL(open64);
DECLARE_REAL(openat);
DECLARE_REAL(openat64);
DECLARE_REAL(__open_2);
DECLARE_REAL(__open64_2);
DECLARE_REAL(__openat_2);
DECLARE_REAL(__openat64_2);
DECLARE_REAL(creat);
DECLARE_REAL(creat64);
DECLARE_REAL(fopen);
DECLARE_REAL(fopen64);
DECLARE_REAL(fsync);
DECLARE_REAL(fdatasync);
DECLARE_REAL(close);
DECLARE_REAL(fclose);
DECLARE_REAL(rename);
DECLARE_REAL(renameat);
DECLARE_REAL(renameat2);

/* Used by the shim itself (log file, fallbacks): never intercepted. */
static int sys_open(const char *path, int flags, mode_t mode) {
  __typeof__(&open) f = REAL(open);
  return f ? f(path, flags, mode) : (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}
static ssize_t sys_write(int fd, const void *buf, size_t n) {
  __typeof__(&write) f = REAL(write);
  return f ? f(fd, buf, n) : syscall(SYS_write, fd, buf, n);
}
static int sys_close(int fd) {
  __typeof__(&close) f = REAL(close);
  return f ? f(fd) : (int)syscall(SYS_close, fd);
}

/* ---------------------------------------------------------------------------------------------- */
/* Configuration                                                                                  */

static struct {
  int enabled;
  int ops;
  int err;
  char **patterns;
  size_t n_patterns;
  const char *log_path;
} cfg;
static _Atomic uint64_t budget_left;
static pthread_once_t cfg_once = PTHREAD_ONCE_INIT;

static void warn(const char *what, const char *value) {
  char line[512];
  int n = snprintf(line, sizeof line, "rlnas_fault: ignoring bad %s '%s'\n", what, value);
  if (n > 0) sys_write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static const struct {
  const char *name;
  int value;
} errno_names[] = {{"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EROFS", EROFS}, {"EACCES", EACCES}, {"EDQUOT", EDQUOT}};

static void load_config(void) {
  const char *paths = getenv("RLNAS_FAULT_PATH");
  if (!paths || !*paths) return;

  char *copy = strdup(paths);
  size_t cap = 1;
  for (const char *c = paths; *c; ++c) cap += *c == ':';
  cfg.patterns = calloc(cap, sizeof *cfg.patterns);
  if (!copy || !cfg.patterns) return;
  char *save = NULL;
  for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
    cfg.patterns[cfg.n_patterns++] = tok;
  if (cfg.n_patterns == 0) return;

  uint64_t budget = 0;
  const char *b = getenv("RLNAS_FAULT_BUDGET");
  if (b && *b) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(b, &end, 10);
    if (errno || *end || *b == '-')
      warn("RLNAS_FAULT_BUDGET (using 0)", b);
    else
      budget = v;
  }
  atomic_store(&budget_left, budget);

  cfg.err = ENOSPC;
  const char *e = getenv("RLNAS_FAULT_ERRNO");
  if (e && *e) {
    int found = 0;
    for (size_t i = 0; i < sizeof errno_names / sizeof *errno_names; ++i)
      if (strcasecmp(e, errno_names[i].name) == 0) cfg.err = errno_names[i].value, found = 1;
    if (!found) {
      char *end = NULL;
      long v = strtol(e, &end, 10);
      if (*end || v <= 0 || v > 4095)
        warn("RLNAS_FAULT_ERRNO (using ENOSPC)", e);
      else
        cfg.err = (int)v;
    }
  }

  cfg.ops = 0;
  const char *o = getenv("RLNAS_FAULT_OPS");
  if (o && *o) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", o);
    char *osave = NULL;
    for (char *tok = strtok_r(buf, ", \t", &osave); tok; tok = strtok_r(NULL, ", \t", &osave)) {
      static const struct {
        const char *name;
        int op;
      } ops[] = {{"write", OP_WRITE}, {"open", OP_OPEN},     {"fsync", OP_FSYNC},
                 {"close", OP_CLOSE}, {"rename", OP_RENAME}, {"all", OP_ALL}};
      int found = 0;
      for (size_t i = 0; i < sizeof ops / sizeof *ops; ++i)
        if (!strcmp(tok, ops[i].name)) cfg.ops |= ops[i].op, found = 1;
      if (!found) warn("RLNAS_FAULT_OPS entry", tok);
    }
  }
  if (cfg.ops == 0) cfg.ops = OP_WRITE;

  const char *l = getenv("RLNAS_FAULT_LOG");
  cfg.log_path = l && *l ? strdup(l) : NULL;
  cfg.enabled = 1;
}

/* True when the shim should consider `op` at all. Call with t_busy set. */
static int active(int op) {
  pthread_once(&cfg_once, load_config);
  return cfg.enabled && (cfg.ops & op);
}

/* ---------------------------------------------------------------------------------------------- */
/* Paths                                                                                          */

static int matches(const char *path) {
  if (!path || path[0] != '/') return 0;
  for (size_t i = 0; i < cfg.n_patterns; ++i)
    if (fnmatch(cfg.patterns[i], path, 0) == 0) return 1;
  return 0;
}

/* readlink of /proc/self/fd/FD into out; 0 on success. */
static int fd_path(int fd, char *out, size_t size) {
  if (fd < 0) return -1;
  char link[32] = "/proc/self/fd/";
  char digits[12];
  int n = 0;
  unsigned v = (unsigned)fd;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  size_t at = strlen(link);
  while (n) link[at++] = digits[--n];
  link[at] = 0;
  ssize_t len = readlink(link, out, size - 1);
  if (len <= 0) return -1;
  out[len] = 0;
  static const char deleted[] = " (deleted)";
  size_t dl = sizeof deleted - 1;
  if ((size_t)len > dl && strcmp(out + len - dl, deleted) == 0) out[len - dl] = 0;
  return 0;
}

static int fd_matches(int fd, char *path, size_t size) { return fd_path(fd, path, size) == 0 && matches(path); }

/* Does PATH (relative to DIRFD) match? Writes the absolute path that matched (or was tried) to out. */
static int path_matches(int dirfd, const char *path, char *out, size_t size) {
  out[0] = 0;
  if (!path || !*path) return 0;
  char raw[PATH_MAX];
  char norm[PATH_MAX];
  if (path[0] == '/') {
    if (snprintf(raw, sizeof raw, "%s", path) >= (int)sizeof raw) return 0;
  } else {
    char *base = norm; /* scratch until the normalised path goes there */
    if (dirfd == AT_FDCWD) {
      if (!getcwd(base, PATH_MAX)) return 0;
    } else if (fd_path(dirfd, base, PATH_MAX) != 0) {
      return 0;
    }
    if (snprintf(raw, sizeof raw, "%s%s%s", base, strcmp(base, "/") ? "/" : "", path) >= (int)sizeof raw) return 0;
  }
  size_t len = strlen(raw);
  while (len > 1 && raw[len - 1] == '/') raw[--len] = 0;

  /* Resolve the parent directory (or the whole path when the last part is . or ..). */
  int have_norm = 0;
  char *slash = strrchr(raw, '/');
  const char *name = slash + 1;
  if (!strcmp(name, ".") || !strcmp(name, "..")) {
    have_norm = realpath(raw, norm) != NULL;
  } else if (*name) {
    char *parent = norm; /* scratch */
    char resolved[PATH_MAX];
    size_t plen = slash == raw ? 1 : (size_t)(slash - raw);
    memcpy(parent, raw, plen);
    parent[plen] = 0;
    if (realpath(parent, resolved))
      have_norm =
          snprintf(norm, sizeof norm, "%s%s%s", resolved, strcmp(resolved, "/") ? "/" : "", name) < (int)sizeof norm;
  }
  if (have_norm && matches(norm)) {
    snprintf(out, size, "%s", norm);
    return 1;
  }
  snprintf(out, size, "%s", have_norm ? norm : raw);
  if (matches(raw)) {
    snprintf(out, size, "%s", raw);
    return 1;
  }
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* Failing                                                                                        */

static void log_failure(const char *op, const char *path, int err) {
  if (!cfg.log_path) return;
  char name[16];
  const char *ename = NULL;
  for (size_t i = 0; i < sizeof errno_names / sizeof *errno_names; ++i)
    if (errno_names[i].value == err) ename = errno_names[i].name;
  if (!ename) snprintf(name, sizeof name, "%d", err), ename = name;
  char line[PATH_MAX + 64];
  int n = snprintf(line, sizeof line, "%s %s %s\n", op, path, ename);
  if (n <= 0) return;
  if ((size_t)n >= sizeof line) n = (int)sizeof line - 1, line[n - 1] = '\n';
  int fd = sys_open(cfg.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t w = sys_write(fd, line, (size_t)n); /* O_APPEND: one write per line keeps lines whole */
  (void)w;
  sys_close(fd);
}

/* Logs and returns the errno to fail with (the caller sets errno after its own cleanup). */
static int inject(const char *op, const char *path) {
  int saved = errno;
  log_failure(op, path, cfg.err);
  errno = saved;
  return cfg.err;
}

/* Takes up to n bytes from the budget; returns how many it got. */
static size_t budget_take(size_t n) {
  uint64_t left = atomic_load(&budget_left);
  uint64_t take;
  do {
    take = left < n ? left : n;
  } while (take && !atomic_compare_exchange_weak(&budget_left, &left, left - take));
  return (size_t)take;
}

static void budget_refund(size_t n) {
  if (n) atomic_fetch_add(&budget_left, n);
}

/* The write gate. Returns 0: pass the call through untouched. 1: write only *allow bytes (taken from
 * the budget; the caller must refund what the real write did not take). -1: fail with errno *err. */
static int write_gate(int fd, size_t n, size_t *allow, int *err) {
  if (t_busy || n == 0) return 0;
  int errno_saved = errno;
  int rc = 0;
  t_busy = 1;
  char path[PATH_MAX];
  if (active(OP_WRITE) && fd_matches(fd, path, sizeof path)) {
    *allow = budget_take(n);
    if (*allow)
      rc = 1;
    else
      *err = inject("write", path), rc = -1;
  }
  t_busy = 0;
  errno = errno_saved;
  return rc;
}

/* For fd-taking non-write ops: returns the errno to fail with, or 0. */
static int fd_gate(int op, const char *opname, int fd) {
  if (t_busy) return 0;
  int errno_saved = errno;
  int err = 0;
  t_busy = 1;
  char path[PATH_MAX];
  if (active(op) && fd_matches(fd, path, sizeof path)) err = inject(opname, path);
  t_busy = 0;
  errno = errno_saved;
  return err;
}

static int opens_for_writing(int flags) {
  return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
}

static int open_gate(int dirfd, const char *path, int flags) {
  if (t_busy || !opens_for_writing(flags)) return 0;
  int errno_saved = errno;
  int err = 0;
  t_busy = 1;
  char abs[PATH_MAX];
  char tmpfile[PATH_MAX];
  /* O_TMPFILE names the directory: test a name inside it, so that a glob for the directory's files matches. */
  if ((flags & O_TMPFILE) == O_TMPFILE && path && snprintf(tmpfile, sizeof tmpfile, "%s/O_TMPFILE", path) < PATH_MAX)
    path = tmpfile;
  if (active(OP_OPEN) && path_matches(dirfd, path, abs, sizeof abs)) err = inject("open", abs);
  t_busy = 0;
  errno = errno_saved;
  return err;
}

static int fopen_mode_writes(const char *mode) {
  if (!mode) return 0;
  if (mode[0] == 'w' || mode[0] == 'a') return 1;
  for (const char *m = mode; *m && *m != ','; ++m)
    if (*m == '+') return 1;
  return 0;
}

static int rename_gate(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
  if (t_busy) return 0;
  int errno_saved = errno;
  int err = 0;
  t_busy = 1;
  char abs[PATH_MAX];
  if (active(OP_RENAME) &&
      (path_matches(newdirfd, newpath, abs, sizeof abs) || path_matches(olddirfd, oldpath, abs, sizeof abs)))
    err = inject("rename", abs);
  t_busy = 0;
  errno = errno_saved;
  return err;
}

#define FAIL_IF(err_expr, ret) \
  do {                         \
    int e_ = (err_expr);       \
    if (e_) {                  \
      errno = e_;              \
      return ret;              \
    }                          \
  } while (0)

/* ---------------------------------------------------------------------------------------------- */
/* write                                                                                          */

/* Copies the first `allow` bytes' worth of iov into out (at most cnt entries); returns the count. */
static int iov_cut(const struct iovec *iov, int cnt, size_t allow, struct iovec *out) {
  int k = 0;
  for (int i = 0; i < cnt && allow; ++i) {
    out[k] = iov[i];
    if (out[k].iov_len > allow) out[k].iov_len = allow;
    allow -= out[k].iov_len;
    ++k;
  }
  return k;
}

static size_t iov_total(const struct iovec *iov, int cnt, int *ok) {
  size_t total = 0;
  *ok = iov && cnt > 0 && cnt <= IOV_MAX;
  if (!*ok) return 0;
  for (int i = 0; i < cnt; ++i) {
    if (iov[i].iov_len > SSIZE_MAX - total) {
      *ok = 0;
      return 0;
    }
    total += iov[i].iov_len;
  }
  return total;
}

static ssize_t settle(ssize_t r, size_t allow) {
  if (r < 0) {
    int e = errno;
    budget_refund(allow);
    errno = e;
  } else if ((size_t)r < allow) {
    budget_refund(allow - (size_t)r);
  }
  return r;
}

EXPORT ssize_t write(int fd, const void *buf, size_t n) {
  size_t allow = 0;
  int err = 0;
  int g = write_gate(fd, n, &allow, &err);
  FAIL_IF(g < 0 ? err : 0, -1);
  __typeof__(&write) real = REAL(write);
  if (g == 0) return real ? real(fd, buf, n) : syscall(SYS_write, fd, buf, n);
  return settle(real ? real(fd, buf, allow) : syscall(SYS_write, fd, buf, allow), allow);
}

EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
  size_t allow = 0;
  int err = 0;
  int g = write_gate(fd, n, &allow, &err);
  FAIL_IF(g < 0 ? err : 0, -1);
  __typeof__(&pwrite) real = REAL(pwrite);
  if (g == 0) return real ? real(fd, buf, n, off) : syscall(SYS_pwrite64, fd, buf, n, off);
  return settle(real ? real(fd, buf, allow, off) : syscall(SYS_pwrite64, fd, buf, allow, off), allow);
}

EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off) {
  size_t allow = 0;
  int err = 0;
  int g = write_gate(fd, n, &allow, &err);
  FAIL_IF(g < 0 ? err : 0, -1);
  __typeof__(&pwrite64) real = REAL(pwrite64);
  if (g == 0) return real ? real(fd, buf, n, off) : syscall(SYS_pwrite64, fd, buf, n, off);
  return settle(real ? real(fd, buf, allow, off) : syscall(SYS_pwrite64, fd, buf, allow, off), allow);
}

/* The vectored writes share one body; `call` does the real call with (iov, cnt). */
#define VECTORED_WRITE(fd, iov, cnt, call)                     \
  do {                                                         \
    int ok_;                                                   \
    size_t total_ = iov_total(iov, cnt, &ok_);                 \
    size_t allow_ = 0;                                         \
    int err_ = 0;                                              \
    int g_ = ok_ ? write_gate(fd, total_, &allow_, &err_) : 0; \
    FAIL_IF(g_ < 0 ? err_ : 0, -1);                            \
    if (g_ == 0 || allow_ >= total_) {                         \
      const struct iovec *v_ = iov;                            \
      int c_ = cnt;                                            \
      return g_ == 0 ? (call) : settle((call), allow_);        \
    }                                                          \
    struct iovec cut_[cnt];                                    \
    const struct iovec *v_ = cut_;                             \
    int c_ = iov_cut(iov, cnt, allow_, cut_);                  \
    return settle((call), allow_);                             \
  } while (0)

EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt) {
  __typeof__(&writev) real = REAL(writev);
  VECTORED_WRITE(fd, iov, cnt, real ? real(fd, v_, c_) : syscall(SYS_writev, fd, v_, c_));
}

static ssize_t no_real(void) {
  errno = ENOSYS;
  return -1;
}

EXPORT ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off) {
  __typeof__(&pwritev) real = REAL(pwritev);
  VECTORED_WRITE(fd, iov, cnt, real ? real(fd, v_, c_, off) : no_real());
}

EXPORT ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off64_t off) {
  __typeof__(&pwritev64) real = REAL(pwritev64);
  VECTORED_WRITE(fd, iov, cnt, real ? real(fd, v_, c_, off) : no_real());
}

EXPORT ssize_t pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags) {
  __typeof__(&pwritev2) real = REAL(pwritev2);
  VECTORED_WRITE(fd, iov, cnt, real ? real(fd, v_, c_, off, flags) : no_real());
}

EXPORT ssize_t pwritev64v2(int fd, const struct iovec *iov, int cnt, off64_t off, int flags) {
  __typeof__(&pwritev64v2) real = REAL(pwritev64v2);
  VECTORED_WRITE(fd, iov, cnt, real ? real(fd, v_, c_, off, flags) : no_real());
}

/* ---------------------------------------------------------------------------------------------- */
/* open                                                                                           */

#define NEEDS_MODE(flags) (((flags)&O_CREAT) != 0 || ((flags)&O_TMPFILE) == O_TMPFILE)
#define GET_MODE(flags, last, mode) \
  do {                              \
    if (NEEDS_MODE(flags)) {        \
      va_list ap_;                  \
      va_start(ap_, last);          \
      mode = va_arg(ap_, mode_t);   \
      va_end(ap_);                  \
    }                               \
  } while (0)

EXPORT int open(const char *path, int flags, ...) {
  mode_t mode = 0;
  GET_MODE(flags, flags, mode);
  FAIL_IF(open_gate(AT_FDCWD, path, flags), -1);
  __typeof__(&open) real = REAL(open);
  return real ? real(path, flags, mode) : (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...) {
  mode_t mode = 0;
  GET_MODE(flags, flags, mode);
  FAIL_IF(open_gate(AT_FDCWD, path, flags), -1);
  __typeof__(&open64) real = REAL(open64);
  return real ? real(path, flags, mode) : (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...) {
  mode_t mode = 0;
  GET_MODE(flags, flags, mode);
  FAIL_IF(open_gate(dirfd, path, flags), -1);
  __typeof__(&openat) real = REAL(openat);
  return real ? real(dirfd, path, flags, mode) : (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...) {
  mode_t mode = 0;
  GET_MODE(flags, flags, mode);
  FAIL_IF(open_gate(dirfd, path, flags), -1);
  __typeof__(&openat64) real = REAL(openat64);
  return real ? real(dirfd, path, flags, mode) : (int)syscall(SYS_openat, dirfd, path, flags | O_LARGEFILE, mode);
}

/* _FORTIFY_SOURCE's checked variants (called without a mode: O_CREAT is rejected there). */
EXPORT int __open_2(const char *path, int flags) {
  FAIL_IF(open_gate(AT_FDCWD, path, flags), -1);
  __typeof__(&__open_2) real = REAL(__open_2);
  return real ? real(path, flags) : (int)syscall(SYS_openat, AT_FDCWD, path, flags, 0);
}

EXPORT int __open64_2(const char *path, int flags) {
  FAIL_IF(open_gate(AT_FDCWD, path, flags), -1);
  __typeof__(&__open64_2) real = REAL(__open64_2);
  return real ? real(path, flags) : (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags) {
  FAIL_IF(open_gate(dirfd, path, flags), -1);
  __typeof__(&__openat_2) real = REAL(__openat_2);
  return real ? real(dirfd, path, flags) : (int)syscall(SYS_openat, dirfd, path, flags, 0);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags) {
  FAIL_IF(open_gate(dirfd, path, flags), -1);
  __typeof__(&__openat64_2) real = REAL(__openat64_2);
  return real ? real(dirfd, path, flags) : (int)syscall(SYS_openat, dirfd, path, flags | O_LARGEFILE, 0);
}

EXPORT int creat(const char *path, mode_t mode) {
  FAIL_IF(open_gate(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC), -1);
  __typeof__(&creat) real = REAL(creat);
  return real ? real(path, mode) : (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

EXPORT int creat64(const char *path, mode_t mode) {
  FAIL_IF(open_gate(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC), -1);
  __typeof__(&creat64) real = REAL(creat64);
  return real ? real(path, mode)
              : (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_LARGEFILE, mode);
}

EXPORT FILE *fopen(const char *path, const char *mode) {
  FAIL_IF(fopen_mode_writes(mode) ? open_gate(AT_FDCWD, path, O_WRONLY) : 0, NULL);
  __typeof__(&fopen) real = REAL(fopen);
  if (!real) return errno = ENOSYS, NULL;
  return real(path, mode);
}

EXPORT FILE *fopen64(const char *path, const char *mode) {
  FAIL_IF(fopen_mode_writes(mode) ? open_gate(AT_FDCWD, path, O_WRONLY) : 0, NULL);
  __typeof__(&fopen64) real = REAL(fopen64);
  if (!real) return errno = ENOSYS, NULL;
  return real(path, mode);
}

/* ---------------------------------------------------------------------------------------------- */
/* fsync, close, rename                                                                           */

EXPORT int fsync(int fd) {
  FAIL_IF(fd_gate(OP_FSYNC, "fsync", fd), -1);
  __typeof__(&fsync) real = REAL(fsync);
  return real ? real(fd) : (int)syscall(SYS_fsync, fd);
}

EXPORT int fdatasync(int fd) {
  FAIL_IF(fd_gate(OP_FSYNC, "fsync", fd), -1);
  __typeof__(&fdatasync) real = REAL(fdatasync);
  return real ? real(fd) : (int)syscall(SYS_fdatasync, fd);
}

EXPORT int close(int fd) {
  int err = fd_gate(OP_CLOSE, "close", fd); /* looked up before the fd goes away */
  int r = sys_close(fd);
  if (err && r == 0) {
    errno = err;
    return -1;
  }
  return r;
}

EXPORT int fclose(FILE *stream) {
  int err = stream ? fd_gate(OP_CLOSE, "close", fileno(stream)) : 0;
  __typeof__(&fclose) real = REAL(fclose);
  if (!real) return errno = ENOSYS, EOF;
  int r = real(stream);
  if (err && r == 0) {
    errno = err;
    return EOF;
  }
  return r;
}

EXPORT int rename(const char *oldpath, const char *newpath) {
  FAIL_IF(rename_gate(AT_FDCWD, oldpath, AT_FDCWD, newpath), -1);
  __typeof__(&rename) real = REAL(rename);
  return real ? real(oldpath, newpath) : (int)syscall(SYS_renameat2, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

EXPORT int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
  FAIL_IF(rename_gate(olddirfd, oldpath, newdirfd, newpath), -1);
  __typeof__(&renameat) real = REAL(renameat);
  return real ? real(olddirfd, oldpath, newdirfd, newpath)
              : (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, 0);
}

EXPORT int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags) {
  FAIL_IF(rename_gate(olddirfd, oldpath, newdirfd, newpath), -1);
  __typeof__(&renameat2) real = REAL(renameat2);
  return real ? real(olddirfd, oldpath, newdirfd, newpath, flags)
              : (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}
