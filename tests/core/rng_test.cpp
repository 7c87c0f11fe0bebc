#include "rlnas/core/rng.h"

#include <gtest/gtest.h>

#include <random>

namespace rlnas {

TEST(Mt19937, MatchesStdMt19937Stream) {
  for (uint32_t seed : {0u, 1u, 5489u, 4294967295u}) {
    Mt19937 ours(seed);
    std::mt19937 reference(seed);
    for (int i = 0; i < 2000; ++i) ASSERT_EQ(ours.next32(), reference()) << "seed " << seed << " draw " << i;
  }
}

TEST(Mt19937, RandIsNumpyRandomSample) {
  // numpy.random.RandomState(0).random_sample() == 0.5488135039273248
  Mt19937 rng(0);
  EXPECT_DOUBLE_EQ(rng.rand(), 0.5488135039273248);
  EXPECT_DOUBLE_EQ(rng.rand(), 0.7151893663724195);
}

TEST(Mt19937, RandintIsNumpyMaskedRejection) {
  // numpy.random.RandomState(0).randint(0, 6, 10) == [4 5 0 3 3 3 1 3 5 2]
  Mt19937 rng(0);
  const int expected[] = {4, 5, 0, 3, 3, 3, 1, 3, 5, 2};
  for (int e : expected) EXPECT_EQ(rng.randint(0, 6), e);
}

TEST(Mt19937, RandintOfOneValueDrawsNothing) {
  Mt19937 a(7), b(7);
  EXPECT_EQ(a.randint(3, 4), 3);
  EXPECT_EQ(a.next32(), b.next32());
}

TEST(Mt19937, CopyContinuesTheSameStream) {
  Mt19937 a(11);
  for (int i = 0; i < 700; ++i) a.next32();  // past one twist
  Mt19937 b = a;
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next32(), b.next32());
}

}  // namespace rlnas
