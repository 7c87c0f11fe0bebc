// Loading C++ environment plugins (include/rlnas/env/plugin.h).
#include "rlnas/env/plugin.h"

#include <dlfcn.h>

#include <filesystem>
#include <fstream>

#include "rlnas/core/error.h"
#include "rlnas/core/sha256.h"

namespace fs = std::filesystem;

namespace rlnas::env {

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read '" + path + "' to hash it");
  Sha256 h;
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    h.update(buffer, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw Error("cannot read '" + path + "' to hash it (read error)");
  return h.hex_digest();
}

std::vector<std::string> parse_plugin_list(const std::string& text) {
  std::string body = text;
  char separator = ':';
  if (body.size() >= 2 && body.front() == '[' && body.back() == ']') {
    body = body.substr(1, body.size() - 2);
    separator = ',';
  }
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= body.size()) {
    const size_t end = std::min(body.find(separator, start), body.size());
    std::string item = body.substr(start, end - start);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
    if (item.size() >= 2 && (item.front() == '"' || item.front() == '\'') && item.back() == item.front()) {
      item = item.substr(1, item.size() - 2);
    }
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

const PluginRecord& load_plugin(EnvRegistry& registry, const std::string& path) {
  const std::string where = "plugin '" + path + "'";
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    const auto status = fs::status(path, ec);
    const char* found = !fs::exists(status)        ? "no such file"
                        : fs::is_directory(status) ? "it is a folder"
                                                   : "it is not a regular file (a device, a FIFO, ...)";
    throw Error(where + ": " + found + " (expected a shared object, FILE.so)");
  }
  const std::string absolute = fs::canonical(path).string();
  const std::string sha = file_sha256(absolute);
  for (const auto& p : registry.plugins()) {
    if (p.path != absolute) continue;
    if (p.sha256 != sha) {
      throw Error(where + ": the file changed since this process loaded it (sha256 " + p.sha256.substr(0, 12) +
                  " then, " + sha.substr(0, 12) + " now)");
    }
    return p;
  }
  // RTLD_NOW: a symbol this rlnas does not export fails here, with its name, not at first call.
  // Never closed: the registry's factories point into it.
  void* handle = ::dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    throw Error(where + ": cannot load it (" + std::string(why ? why : "unknown reason") +
                "); a plugin must be a shared object built against this rlnas's headers (plugin ABI " +
                std::to_string(RLNAS_PLUGIN_ABI) + ")");
  }
  using Entry = const rlnas_plugin_info* (*)();
  const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "rlnas_plugin"));
  if (!entry) {
    throw Error(where +
                ": no 'rlnas_plugin' entry point; define it with RLNAS_PLUGIN(NAME, REGISTER_FN) from "
                "rlnas/env/plugin.h");
  }
  const rlnas_plugin_info* info = entry();
  if (!info) throw Error(where + ": rlnas_plugin() returned nothing");
  if (info->abi != RLNAS_PLUGIN_ABI) {
    throw Error(where + ": built for plugin ABI " + std::to_string(info->abi) + ", but this rlnas has plugin ABI " +
                std::to_string(RLNAS_PLUGIN_ABI) + "; rebuild it against this rlnas's headers");
  }
  const std::string name = info->name ? info->name : "";
  if (!info->register_envs) throw Error(where + " (" + name + "): no register_envs function");
  // Register into a scratch registry first: a plugin that throws, or takes a name already
  // registered, changes nothing.
  EnvRegistry scratch;
  try {
    info->register_envs(scratch);
  } catch (const std::exception& e) {
    throw Error(where + " (" + name + "): registering its environments failed: " + e.what());
  }
  PluginRecord record{absolute, sha, name, scratch.names()};
  if (record.envs.empty()) throw Error(where + " (" + name + "): registers no environment");
  for (const auto& env : record.envs) {
    if (registry.contains(env)) {
      const auto& other = registry.entry(env);
      throw Error(
          where + " (" + name + ") registers '" + env + "', which " +
          (other.plugin_path.empty() ? std::string("is built in") : "plugin '" + other.plugin_path + "' registered"));
    }
  }
  for (const auto& env : record.envs) {
    EnvEntry e = scratch.entry(env);
    e.plugin_path = absolute;
    e.plugin_sha256 = sha;
    registry.add(std::move(e));
  }
  registry.add_plugin_record(std::move(record));
  return registry.plugins().back();
}

}  // namespace rlnas::env
