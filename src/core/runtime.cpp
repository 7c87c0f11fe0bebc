// Runtime set-up: threads, LibTorch logging, BLAS detection.
#include "rlnas/core/runtime.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <link.h>
#include <malloc.h>

#include <climits>
#include <cstdlib>
#include <string>

#if __has_include(<glog/logging.h>)
#include <glog/logging.h>
#define RLNAS_HAVE_GLOG 1
#endif

#include "rlnas/core/error.h"
#include "rlnas/core/log.h"

namespace rlnas {

namespace {

class LogWarningHandler final : public c10::WarningHandler {
 public:
  void process(const c10::SourceLocation& /*where*/, const std::string& msg, bool /*verbatim*/) override {
    log::warning("torch: " + msg);
  }
};

int find_blas(dl_phdr_info* info, size_t /*size*/, void* data) {
  const std::string name = info->dlpi_name ? info->dlpi_name : "";
  if (name.find("libblas.so") != std::string::npos) {
    char resolved[PATH_MAX];
    *static_cast<std::string*>(data) = realpath(name.c_str(), resolved) ? resolved : name;
    return 1;
  }
  return 0;
}

}  // namespace

std::string loaded_blas_path() {
  std::string path;
  dl_iterate_phdr(find_blas, &path);
  return path;
}

bool is_reference_blas(const std::string& path) { return path.find("/blas/libblas.so") != std::string::npos; }

void init_runtime(const RuntimeOptions& options) {
  if (options.threads < 1) {
    throw Error("--threads: expected a positive integer, found " + std::to_string(options.threads));
  }
#ifdef RLNAS_HAVE_GLOG
  // LibTorch logs through glog; keep its INFO/WARNING chatter out of our output.
  FLAGS_minloglevel = 2;
  FLAGS_logtostderr = true;
  if (!google::IsGoogleLoggingInitialized()) google::InitGoogleLogging("rlnas");
#endif
  static LogWarningHandler handler;
  c10::Warning::set_warning_handler(&handler);

  // Training allocates and frees many tensors of the same sizes every step. With glibc's default
  // thresholds, larger blocks are mmap'ed and returned to the kernel each time, costing page
  // faults on every reuse; keeping up to 256 MiB in the heap made PPO and DQN steps ~1.5x
  // faster here (docs/benchmarks.md).
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
  at::set_num_threads(options.threads);
  static bool interop_set = false;  // LibTorch allows setting this once per process
  if (!interop_set) {
    at::set_num_interop_threads(1);
    interop_set = true;
  }

  const std::string blas = loaded_blas_path();
  if (is_reference_blas(blas)) {
    log::warning("LibTorch is using the reference BLAS (" + blas +
                 "), about 10x slower than OpenBLAS; install libopenblas0-openmp (scripts/setup does)");
  }
}

}  // namespace rlnas
