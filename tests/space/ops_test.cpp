// The op library: every op's output shape at stride 1 and 2, the padding rule, argument errors.
#include <gtest/gtest.h>

#include "rlnas/core/error.h"
#include "rlnas/space/ops.h"

namespace rlnas::space {
namespace {

TEST(Ops, EveryImageOpGivesCeilOfSizeOverStride) {
  for (const auto& name : op_names()) {
    if (is_vector_op(name)) continue;
    const bool same_shape = name == "relu" || name == "tanh";
    for (int64_t stride : {1, 2}) {
      if (same_shape && stride != 1) continue;
      for (int64_t size : {7, 8, 10, 11}) {
        const int64_t c_out = same_shape ? 6 : 5;
        auto op = make_op(name, {.c_in = 6, .c_out = c_out, .stride = stride});
        const auto y = op->forward(torch::randn({2, 6, size, size + 1}));
        const int64_t h = (size + stride - 1) / stride, w = (size + 1 + stride - 1) / stride;
        EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, c_out, h, w})) << name << " stride " << stride << " size " << size;
        EXPECT_EQ(op->name(), name);
      }
    }
  }
}

TEST(Ops, VectorOpsMapFeatures) {
  for (const char* name : {"linear", "linear_relu", "linear_tanh"}) {
    auto op = make_op(name, {.c_in = 5, .c_out = 3});
    EXPECT_EQ(op->forward(torch::randn({4, 5})).sizes(), (std::vector<int64_t>{4, 3})) << name;
  }
  auto relu = make_op("linear_relu", {.c_in = 5, .c_out = 3});
  EXPECT_GE(relu->forward(torch::randn({64, 5})).min().item<float>(), 0.0f);
}

TEST(Ops, PaddingPutsTheExtraRowAtTheBottomRight) {
  EXPECT_EQ(same_padding(1), (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(same_padding(3), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(same_padding(2), (std::vector<int64_t>{0, 1, 0, 1}));
  EXPECT_EQ(same_padding(4), (std::vector<int64_t>{1, 2, 1, 2}));
  // A 2x2 plain conv with all-ones weights over a one-hot input: the output at (i, j) sums the
  // input over rows i..i+1 and columns j..j+1 (floor padding on top/left is 0).
  auto op = make_op("conv2x2_plain", {.c_in = 1, .c_out = 1, .stride = 1});
  for (auto& p : op->parameters()) p.data().fill_(p.dim() > 1 ? 1.0 : 0.0);
  auto x = torch::zeros({1, 1, 3, 3});
  x[0][0][0][0] = 1;
  const auto y = op->forward(x);
  EXPECT_FLOAT_EQ(y[0][0][0][0].item<float>(), 1.0f);  // window rows 0-1, cols 0-1 holds the one
  EXPECT_FLOAT_EQ(y[0][0][1][1].item<float>(), 0.0f);
  x.zero_();
  x[0][0][2][2] = 1;
  EXPECT_FLOAT_EQ(op->forward(x)[0][0][2][2].item<float>(), 1.0f);  // bottom/right pad keeps the corner
}

TEST(Ops, SkipIsTheIdentityWhereShapesAgreeAndZeroHasNoParameters) {
  auto skip = make_op("skip", {.c_in = 4, .c_out = 4, .stride = 1});
  const auto x = torch::randn({2, 4, 5, 5});
  EXPECT_TRUE(torch::equal(skip->forward(x), x));
  EXPECT_TRUE(skip->parameters().empty());
  EXPECT_EQ(make_op("skip", {.c_in = 4, .c_out = 8, .stride = 2})->parameters().size(), 2u);  // 1x1 projection
  auto zero = make_op("zero", {.c_in = 4, .c_out = 8, .stride = 2});
  EXPECT_TRUE(zero->parameters().empty());
  EXPECT_EQ(zero->forward(x).abs().sum().item<float>(), 0.0f);
}

TEST(Ops, InvertedResidualAddsItsInputOnlyWhenShapesAgree) {
  auto ir = make_op("ir_k3_e3", {.c_in = 4, .c_out = 4, .stride = 1});
  for (auto& p : ir->parameters()) p.data().zero_();  // branch outputs 0: what remains is the residual
  const auto x = torch::randn({1, 4, 6, 6});
  EXPECT_TRUE(torch::allclose(ir->forward(x), x));
  auto strided = make_op("ir_k3_e3", {.c_in = 4, .c_out = 4, .stride = 2});
  for (auto& p : strided->parameters()) p.data().zero_();
  EXPECT_EQ(strided->forward(x).abs().sum().item<float>(), 0.0f);
  // expansion 1 has no expand conv: depthwise + project only
  EXPECT_EQ(make_op("ir_k3_e1", {.c_in = 4, .c_out = 4})->parameters().size(), 4u);
  EXPECT_EQ(make_op("ir_k3_e3", {.c_in = 4, .c_out = 4})->parameters().size(), 6u);
}

TEST(Ops, RejectsUnknownNamesAndImpossibleArguments) {
  try {
    make_op("conv12x12", {.c_in = 1, .c_out = 1});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("valid ops"), std::string::npos);
  }
  EXPECT_THROW(make_op("relu", {.c_in = 4, .c_out = 8}), Error);
  EXPECT_THROW(make_op("tanh", {.c_in = 4, .c_out = 4, .stride = 2}), Error);
  EXPECT_THROW(make_op("conv3x3", {.c_in = 0, .c_out = 4}), Error);
  EXPECT_THROW(make_op("linear", {.c_in = 4, .c_out = 4, .stride = 2}), Error);
}

}  // namespace
}  // namespace rlnas::space
