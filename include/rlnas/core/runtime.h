// Process-wide runtime settings: torch thread count, LibTorch log routing, BLAS check.
#pragma once

#include <string>

namespace rlnas {

struct RuntimeOptions {
  int threads = 1;  // torch intra-op threads (see docs/benchmarks.md for why 1 is the default)
};

// Call once at start-up: sets torch's thread counts, silences glog start-up noise, routes
// TORCH_WARN to rlnas::log and warns when the slow reference BLAS is loaded.
void init_runtime(const RuntimeOptions& options);

// Real path of the libblas.so.3 loaded into this process, or "" if none is loaded.
std::string loaded_blas_path();
// True for Debian's reference BLAS (/usr/lib/<arch>/blas/libblas.so.3).
bool is_reference_blas(const std::string& path);

}  // namespace rlnas
