#include "rlnas/core/runtime.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include "rlnas/core/error.h"

namespace rlnas {

TEST(Runtime, SetsTorchThreads) {
  init_runtime({.threads = 2});
  EXPECT_EQ(at::get_num_threads(), 2);
  init_runtime({.threads = 1});
  EXPECT_EQ(at::get_num_threads(), 1);
}

TEST(Runtime, RejectsNonPositiveThreads) { EXPECT_THROW(init_runtime({.threads = 0}), Error); }

TEST(Runtime, RecognisesDebianReferenceBlas) {
  EXPECT_TRUE(is_reference_blas("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"));
  EXPECT_FALSE(is_reference_blas("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"));
}

TEST(Runtime, FindsTheLoadedBlas) {
  // LibTorch links libblas.so.3, so some BLAS is loaded in every rlnas process.
  EXPECT_NE(loaded_blas_path().find("libblas.so"), std::string::npos);
}

}  // namespace rlnas
