#include "rlnas/core/bytes.h"

#include <gtest/gtest.h>

namespace rlnas {

TEST(Bytes, RoundTripsPodAndStrings) {
  ByteWriter w;
  w.str("tag");
  w.pod(int64_t{-42});
  w.pod(3.5);
  ByteReader r(w.bytes(), "test");
  r.expect_tag("tag");
  EXPECT_EQ(r.pod<int64_t>(), -42);
  EXPECT_EQ(r.pod<double>(), 3.5);
  EXPECT_TRUE(r.done());
}

TEST(Bytes, TruncatedInputThrowsInsteadOfReadingGarbage) {
  ByteWriter w;
  w.pod(int64_t{1});
  std::string data = w.bytes().substr(0, 5);
  ByteReader r(data, "test");
  EXPECT_THROW(r.pod<int64_t>(), Error);
}

TEST(Bytes, WrongTagNamesBothTags) {
  ByteWriter w;
  w.str("minatar/breakout");
  ByteReader r(w.bytes(), "restoring x");
  try {
    r.expect_tag("minatar/freeway");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'minatar/freeway'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("'minatar/breakout'"), std::string::npos);
  }
}

}  // namespace rlnas
