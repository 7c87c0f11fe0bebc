// SHA-256 (FIPS 180-4) for checksums of checkpoints and canonical ids of architectures.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rlnas {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  std::array<uint8_t, 32> digest();  // finishes the hash; the object must not be reused
  std::string hex_digest();

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;
};

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace rlnas
