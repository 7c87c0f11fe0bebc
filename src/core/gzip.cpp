// gzip in memory (see rlnas/core/gzip.h).
#include "rlnas/core/gzip.h"

#include <zlib.h>

#include "rlnas/core/error.h"

namespace rlnas::io {

std::string gzip_compress(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) throw Error("zlib: deflateInit2 failed");
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const auto size = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw Error("zlib: compression failed");
  out.resize(size);
  return out;
}

std::string gzip_decompress(std::string_view data, const std::string& what, size_t max_bytes, const std::string& kind) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) throw Error("zlib: inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      throw Error("'" + what + "' is not valid gzip data (" + (z.msg ? std::string(z.msg) : "truncated") + ")");
    }
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&z);
      throw Error("'" + what + "' inflates to more than " + std::to_string(max_bytes >> 20) +
                  " MiB, the limit for " + kind + " (rlnas refuses it rather than run out of memory)");
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      throw Error("'" + what + "' is truncated gzip data");
    }
  }
  inflateEnd(&z);
  return out;
}

bool is_gzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f && static_cast<unsigned char>(data[1]) == 0x8b;
}

}  // namespace rlnas::io
