// C++ environment plugins: a shared object, built outside the rlnas tree against rlnas's installed
// headers (find_package(rlnas); docs/adding_an_env.md), that registers environments when an rlnas
// process loads it (--plugin FILE.so, the RLNAS_PLUGINS variable, or the configuration of a run
// that used it). Its one entry point, defined by RLNAS_PLUGIN:
//
//   extern "C" const rlnas_plugin_info* rlnas_plugin();
//
// The loader reads `abi` before anything else and refuses a plugin compiled for another
// RLNAS_PLUGIN_ABI with a message naming both numbers; only then does it call `register_envs`.
// A plugin needs nothing but these headers: the symbols it uses (EnvRegistry::add,
// OptionReader, Env::snapshot, ...) are exported by the rlnas executable that loads it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlnas/env/registry.h"

// Bumped whenever anything a plugin compiles against changes its layout or meaning: Env, Action,
// StepResult, ObservationSpec, ActionSpec, EnvEntry, EnvOption, EnvRegistry, OptionReader,
// ByteWriter/ByteReader, Mt19937, rlnas::Error, or this header.
#define RLNAS_PLUGIN_ABI 1

// What the entry point returns (a standard-layout struct; `abi` is its first member in every ABI).
struct rlnas_plugin_info {
  uint32_t abi;      // the RLNAS_PLUGIN_ABI the plugin was compiled with
  const char* name;  // shown in messages
  void (*register_envs)(rlnas::env::EnvRegistry& registry);
};

// Defines the entry point: RLNAS_PLUGIN("example", register_my_envs) at namespace scope of one
// source file of the plugin, with void register_my_envs(rlnas::env::EnvRegistry&).
#define RLNAS_PLUGIN(NAME, REGISTER_FN)                                                       \
  extern "C" __attribute__((visibility("default"))) const rlnas_plugin_info* rlnas_plugin() { \
    static const rlnas_plugin_info info{RLNAS_PLUGIN_ABI, NAME, REGISTER_FN};                 \
    return &info;                                                                             \
  }

namespace rlnas::env {

// Loads the plugin at `path` into `registry`: its environments get EnvEntry::plugin_path and
// plugin_sha256, and registry.plugins() its record. Loading the same file into the same registry
// again returns the first record. Throws rlnas::Error, leaving the registry unchanged, when the
// file is missing or not a loadable shared object, has no rlnas_plugin entry point, was compiled
// for another ABI, registers a name that is taken, or its register_envs throws.
const PluginRecord& load_plugin(EnvRegistry& registry, const std::string& path);

// Plugin paths from "a.so:b.so" (RLNAS_PLUGINS) or a list "[a.so, b.so]" (a configuration
// file's sequence, items optionally quoted); empty items skipped.
std::vector<std::string> parse_plugin_list(const std::string& text);

// SHA-256 hex of a file's content; rlnas::Error naming the path when it cannot be read.
std::string file_sha256(const std::string& path);

}  // namespace rlnas::env
