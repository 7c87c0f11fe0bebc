// Checksummed, atomically written checkpoint files.
#include "rlnas/rl/checkpoint.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
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
  io::write_file_atomic(path, std::string(kMagic) + "\n" + h.dump() + "\n" + payload);
}

Checkpoint read_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read checkpoint '" + path + "'");
  std::string magic, header_line;
  std::getline(in, magic);
  if (magic != kMagic) {
    throw Error("'" + path + "' is not an rlnas checkpoint (expected first line '" + kMagic + "', found '" +
                magic.substr(0, 40) + "')");
  }
  std::getline(in, header_line);
  nlohmann::json h;
  try {
    h = nlohmann::json::parse(header_line);
  } catch (const std::exception& e) {
    throw Error("checkpoint '" + path + "': header is not valid JSON (" + plain_error_text(e) + ")");
  }
  Checkpoint c;
  try {
    c.header.algo = h.at("algo").get<std::string>();
    c.header.step = h.at("step").get<int64_t>();
    c.header.identity = h.at("identity").get<std::string>();
    const auto bytes = h.at("payload_bytes").get<size_t>();
    const auto sha = h.at("payload_sha256").get<std::string>();
    std::ostringstream rest;
    rest << in.rdbuf();
    c.payload = rest.str();
    if (c.payload.size() != bytes) {
      throw Error("checkpoint '" + path + "' is truncated or padded: header says " + std::to_string(bytes) +
                  " payload bytes, found " + std::to_string(c.payload.size()));
    }
    const std::string found = sha256_hex(c.payload);
    if (found != sha) {
      throw Error("checkpoint '" + path + "' is corrupted: payload SHA-256 is " + found + ", header says " + sha);
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error("checkpoint '" + path + "': header misses a field or has one of the wrong type (" +
                plain_error_text(e) + "); expected algo, step, identity, payload_bytes and payload_sha256");
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
