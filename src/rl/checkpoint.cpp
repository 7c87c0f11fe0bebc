// Checksummed, atomically written checkpoint files.
#include "rlnas/rl/checkpoint.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"
#include "rlnas/core/sha256.h"

namespace rlnas::rl {

namespace {
constexpr const char* kMagic = "rlnas-checkpoint 1";
}

void write_checkpoint(const std::string& path, const CheckpointHeader& header, const std::string& payload) {
  nlohmann::ordered_json h = {{"algo", header.algo},
                              {"step", header.step},
                              {"identity", header.identity},
                              {"payload_bytes", payload.size()},
                              {"payload_sha256", sha256_hex(payload)}};
  if (!header.config.empty()) h["config"] = nlohmann::ordered_json::parse(header.config);
  if (!header.run_nonce.empty()) h["run_nonce"] = header.run_nonce;
  if (header.metrics_lines >= 0) h["metrics_lines"] = header.metrics_lines;
  if (!header.metrics_sha256.empty()) h["metrics_sha256"] = header.metrics_sha256;
  io::write_file_atomic(path, std::string(kMagic) + "\n" + h.dump() + "\n" + payload, io::Target::own);
}

namespace {

// One line of at most `max` bytes (without its newline); false at the end of the file or past `max`.
bool read_line(std::istream& in, std::string& line, size_t max) {
  line.clear();
  for (int c; (c = in.get()) != EOF;) {
    if (c == '\n') return true;
    if (line.size() >= max) return false;
    line += static_cast<char>(c);
  }
  return false;
}

constexpr size_t kMaxHeaderBytes = size_t{16} << 20;  // the resolved configuration is a few KiB

// The header; `in` is left at the payload's first byte.
CheckpointHeader read_header(std::istream& in, const std::string& path, size_t& bytes, std::string& sha) {
  std::string magic, header_line;
  if (!read_line(in, magic, 64) || magic != kMagic) {
    throw Error("'" + path + "' is not an rlnas checkpoint (expected first line '" + kMagic + "', found '" +
                excerpt(magic, 40) + "')");
  }
  if (!read_line(in, header_line, kMaxHeaderBytes)) {
    throw Error("checkpoint '" + path + "': no header line (or one over " + std::to_string(kMaxHeaderBytes) +
                " bytes) after the first line");
  }
  nlohmann::ordered_json h;
  try {
    h = parse_ordered_json_input(header_line, "header");
  } catch (const std::exception& e) {
    throw Error("checkpoint '" + path + "': " + e.what());
  }
  CheckpointHeader header;
  try {
    header.algo = h.at("algo").get<std::string>();
    header.step = h.at("step").get<int64_t>();
    header.identity = h.at("identity").get<std::string>();
    if (h.contains("config")) header.config = h["config"].dump();
    if (h.contains("run_nonce")) header.run_nonce = h["run_nonce"].get<std::string>();
    if (h.contains("metrics_lines")) header.metrics_lines = h["metrics_lines"].get<int64_t>();
    if (h.contains("metrics_sha256")) header.metrics_sha256 = h["metrics_sha256"].get<std::string>();
    bytes = h.at("payload_bytes").get<size_t>();
    sha = h.at("payload_sha256").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw Error("checkpoint '" + path + "': header misses a field or has one of the wrong type (" +
                plain_error_text(e) + "); expected algo, step, identity, payload_bytes and payload_sha256");
  }
  return header;
}

std::ifstream open_checkpoint(const std::string& path) {
  io::check_own_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read checkpoint '" + path + "'");
  return in;
}

}  // namespace

CheckpointHeader read_checkpoint_header(const std::string& path) {
  auto in = open_checkpoint(path);
  size_t bytes = 0;
  std::string sha;
  return read_header(in, path, bytes, sha);
}

Checkpoint read_checkpoint(const std::string& path) {
  auto in = open_checkpoint(path);
  size_t bytes = 0;
  std::string sha;
  Checkpoint c;
  c.header = read_header(in, path, bytes, sha);
  std::ostringstream rest;
  rest << in.rdbuf();
  c.payload = rest.str();
  if (c.payload.size() != bytes) {
    throw Error("checkpoint '" + path + "' is truncated or padded: header says " + std::to_string(bytes) +
                " payload bytes, found " + std::to_string(c.payload.size()));
  }
  const std::string found = sha256_hex(c.payload);
  if (found != sha) {
    throw Error("checkpoint '" + path + "' is corrupted: payload SHA-256 is " + found + ", header says " +
                excerpt(sha, 64));
  }
  return c;
}

void check_identity(const Checkpoint& checkpoint, const std::string& expected_identity, const std::string& path) {
  if (checkpoint.header.identity != expected_identity) {
    throw Error("checkpoint '" + path + "' was made for a different network or task:\n  checkpoint: " +
                checkpoint.header.identity + "\n  this run:   " + expected_identity);
  }
}

}  // namespace rlnas::rl
