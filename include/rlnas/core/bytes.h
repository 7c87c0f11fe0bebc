// Little binary writer/reader for snapshots of plain state (environments, RNGs, counters).
// A reader that runs past the end or finds a wrong tag throws rlnas::Error instead of
// reading garbage.
#pragma once

#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "rlnas/core/error.h"

namespace rlnas {

class ByteWriter {
 public:
  template <class T>
  void pod(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    buffer_.append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  void str(std::string_view s) {
    pod(static_cast<uint64_t>(s.size()));
    buffer_.append(s.data(), s.size());
  }
  const std::string& bytes() const { return buffer_; }
  std::string take() { return std::move(buffer_); }

 private:
  std::string buffer_;
};

class ByteReader {
 public:
  ByteReader(std::string_view data, std::string what) : data_(data), what_(std::move(what)) {}

  template <class T>
  void pod(T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T));
    std::memcpy(&value, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
  }
  template <class T>
  T pod() {
    T value;
    pod(value);
    return value;
  }
  std::string str() {
    const auto n = pod<uint64_t>();
    need(n);
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // Reads a string and checks it equals `expected` (used for type tags).
  void expect_tag(std::string_view expected) {
    const std::string found = str();
    if (found != expected) {
      throw Error(what_ + ": expected a snapshot of '" + std::string(expected) + "', found '" + found + "'");
    }
  }
  bool done() const { return pos_ == data_.size(); }
  void expect_done() const {
    if (!done()) {
      throw Error(what_ + ": " + std::to_string(data_.size() - pos_) + " unexpected trailing bytes in snapshot");
    }
  }

 private:
  void need(size_t n) const {
    if (pos_ + n > data_.size()) {
      throw Error(what_ + ": snapshot truncated (needed " + std::to_string(n) + " more bytes at offset " +
                  std::to_string(pos_) + " of " + std::to_string(data_.size()) + ")");
    }
  }
  std::string_view data_;
  size_t pos_ = 0;
  std::string what_;
};

}  // namespace rlnas
