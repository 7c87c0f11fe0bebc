// gzip in memory, for the files rlnas reads and writes compressed (experiment exports, IDX
// datasets). Inflating stops at a size limit, so that a small hostile file cannot exhaust memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rlnas::io {

std::string gzip_compress(std::string_view data);
// Inflates gzip (or zlib) data; throws rlnas::Error naming `what` for data that is not gzip, is
// truncated, or inflates past `max_bytes` (`kind` says whose limit that is: "an export").
std::string gzip_decompress(std::string_view data, const std::string& what, size_t max_bytes,
                            const std::string& kind = "this file");
// Whether `data` starts with gzip's magic bytes.
bool is_gzip(std::string_view data);

}  // namespace rlnas::io
