// rlnas_fuzz: a seeded mutation fuzzer for rlnas's own parsers of outside input (issue 26).
//
//   rlnas_fuzz TARGET|all [--seconds S] [--seed N] [--corpus DIR] [--keep]
//
// Each target takes bytes and must either accept them or throw rlnas::Error (a message for the
// user): any other exception, a crash or a hang is a bug. Inputs are mutated from the target's
// corpus (DIR/TARGET/*: committed seeds under tests/fuzz/corpus): bit flips, JSON/YAML tokens,
// deletions, duplications, deep nesting, splices with other corpus entries. A failing input is
// written to DIR/TARGET/crash-<hash> before the process reports it (a signal handler writes it
// when the target crashes). With --keep, inputs whose outcome (accepted, or the first words of
// the error) was not seen before join the corpus: a cheap stand-in for coverage feedback.
//
// Checkpoint payloads go to LibTorch's deserializer only after their SHA-256 matches the header:
// checkpoints are trusted input past the header (docs/reliability.md), so only the header and the
// checks around it are fuzzed here.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rlnas/core/config.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"
#include "rlnas/core/sha256.h"
#include "rlnas/data/idx.h"
#include "rlnas/env/registry.h"
#include "rlnas/rl/checkpoint.h"
#include "rlnas/rl/trainer.h"
#include "rlnas/search/trial.h"
#include "rlnas/space/space.h"
#include "rlnas/store/exchange.h"
#include "rlnas/store/store.h"

namespace fs = std::filesystem;
using namespace rlnas;

namespace {

// Scratch files of this process (the targets read files, as rlnas does).
fs::path scratch() {
  static const fs::path dir = [] {
    auto d = fs::temp_directory_path() / ("rlnas_fuzz_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

std::string write_scratch(const std::string& name, std::string_view data) {
  const auto p = (scratch() / name).string();
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(data.data(), static_cast<std::streamsize>(data.size()));
  return p;
}

const env::EnvRegistry& registry() {
  static const env::EnvRegistry r = [] {
    env::EnvRegistry envs;
    env::register_builtin_envs(envs);
    return envs;
  }();
  return r;
}

// ---- targets: each returns normally or throws rlnas::Error ----

void fuzz_arch(std::string_view data) {
  const auto arch = space::read_architecture_arg(std::string(data));
  const auto names = space::space_names();
  if (std::find(names.begin(), names.end(), arch.space) != names.end()) space::find_space(arch.space).validate(arch);
}

void fuzz_yaml(std::string_view data) {
  const auto path = write_scratch("config.yaml", data);
  read_config_file(path);
  rl::TrainSources sources;
  sources.config_file = path;
  sources.flags = {{"env", "classic/cartpole"}};
  rl::resolve_train_config(sources, registry());
}

// One --set KEY=VALUE per line.
void fuzz_set(std::string_view data) {
  rl::TrainSources sources;
  size_t begin = 0;
  while (begin < data.size() && sources.sets.size() < 64) {
    const auto end = std::min(data.find('\n', begin), data.size());
    sources.sets.emplace_back(data.substr(begin, end - begin));
    begin = end + 1;
  }
  sources.flags = {{"env", "classic/cartpole"}};
  rl::resolve_train_config(sources, registry());
}

void fuzz_export(std::string_view data) {
  static auto store = store::Store::open((scratch() / "fuzz.db").string());
  const auto doc = store::read_export_file(write_scratch("export.json", data));
  for (const auto& r : store::import_document(store, doc, "fuzz")) {
    if (r.id > 0) store.delete_experiment(r.id);
  }
}

// Header lines as written; a payload whose hash matches the header's, so that the reader gets
// past its checks more often than random bytes would.
void fuzz_checkpoint(std::string_view data) {
  const std::string text(data);
  const auto cut = text.find("\n\n");
  std::string file = text;
  if (cut != std::string::npos) {
    const std::string payload = text.substr(cut + 2);
    std::string head = text.substr(0, cut);
    const auto at = head.find("SHA");
    if (at != std::string::npos) head.replace(at, 3, sha256_hex(payload));
    file = head + "\n" + payload;
  }
  const auto path = write_scratch("checkpoint.ckpt", file);
  rl::read_checkpoint_header(path);
  rl::read_checkpoint(path);
}

void fuzz_metrics(std::string_view data) {
  const auto dir = scratch() / "run";
  fs::create_directories(dir);
  write_scratch("run/metrics.jsonl", data);
  search::read_curve(dir.string());
  io::truncate_jsonl_after((dir / "metrics.jsonl").string(), 1000);
}

// An IDX file (the image workload's data), plain or gzip'd, read as labels and as images.
void fuzz_idx(std::string_view data) {
  const auto path = write_scratch("data.idx", data);
  for (const int dims : {1, 3}) {
    try {
      data::read_idx(path, dims);
    } catch (const Error&) {
      if (dims == 3) throw;
    }
  }
}

struct Target {
  const char* name;
  void (*run)(std::string_view);
};

const std::vector<Target>& targets() {
  static const std::vector<Target> t = {{"arch", fuzz_arch},
                                        {"yaml", fuzz_yaml},
                                        {"set", fuzz_set},
                                        {"export", fuzz_export},
                                        {"checkpoint", fuzz_checkpoint},
                                        {"metrics", fuzz_metrics},
                                        {"idx", fuzz_idx}};
  return t;
}

// ---- mutation ----

const std::vector<std::string> kTokens = {
    "[",
    "]",
    "{",
    "}",
    "\"",
    ":",
    ",",
    "\n",
    "\\",
    "\\u0000",
    "\\ud800",
    "-1",
    "0",
    "1e999",
    "-0",
    "null",
    "true",
    "1.5",
    "\xff",
    "\xc3",
    "---\n",
    "- ",
    ": ",
    "&a ",
    "*a",
    "!!",
    "'",
    "#",
    "9223372036854775807",
    "-9223372036854775809",
    "nan",
    "{\"a\":",
    std::string(300, '['),
    std::string(300, '{'),
    "=",
    "ppo.",
    "net.",
    "search.",
    "step",
};

std::string mutate(std::string s, std::mt19937_64& rng, const std::vector<std::string>& corpus) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  const int rounds = 1 + static_cast<int>(pick(4));
  for (int r = 0; r < rounds; ++r) {
    switch (pick(7)) {
      case 0:  // flip a bit
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1 << pick(8));
        break;
      case 1:  // insert a token
        s.insert(pick(s.size() + 1), kTokens[pick(kTokens.size())]);
        break;
      case 2: {  // delete a range
        if (s.empty()) break;
        const size_t at = pick(s.size());
        s.erase(at, 1 + pick(std::min<size_t>(32, s.size() - at)));
        break;
      }
      case 3: {  // duplicate a range
        if (s.empty()) break;
        const size_t at = pick(s.size());
        const size_t n = 1 + pick(std::min<size_t>(64, s.size() - at));
        s.insert(pick(s.size() + 1), s.substr(at, n));
        break;
      }
      case 4:  // replace a byte with a token's first byte
        if (!s.empty()) s[pick(s.size())] = kTokens[pick(kTokens.size())][0];
        break;
      case 5: {  // splice with another corpus entry
        if (corpus.empty()) break;
        const auto& other = corpus[pick(corpus.size())];
        s = s.substr(0, pick(s.size() + 1)) + other.substr(pick(other.size() + 1));
        break;
      }
      default: {  // a number somewhere made extreme
        const auto at = s.find_first_of("0123456789", pick(s.size() + 1));
        if (at != std::string::npos) s.replace(at, 1, pick(2) ? "99999999999999999999" : "-7");
        break;
      }
    }
  }
  if (s.size() > (64u << 10)) s.resize(64u << 10);
  return s;
}

// ---- crash capture ----

std::string g_current;     // the input being run
std::string g_crash_path;  // where the signal handler writes it

void on_fatal_signal(int sig) {
  const int fd = ::open(g_crash_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    (void)!::write(fd, g_current.data(), g_current.size());
    ::close(fd);
  }
  const char msg[] = "rlnas_fuzz: fatal signal; the input is saved\n";
  (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  static std::vector<char> stack(1 << 16);
  stack_t ss{};
  ss.ss_sp = stack.data();
  ss.ss_size = stack.size();
  ::sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_ONSTACK;
  for (const int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) ::sigaction(sig, &sa, nullptr);
}

std::vector<std::string> load_corpus(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename().string().rfind("crash-", 0) != 0) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) out.push_back(io::read_file(f.string()));
  return out;
}

// What an input led to, coarsely: "ok", or the error's first words without numbers and quotes.
std::string outcome(const std::string& error) {
  std::string out;
  for (const char c : error.substr(0, 60)) {
    if (c == '\'' || c == '"') break;
    if (!std::isdigit(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

// Runs one target for `seconds`; 0 when no input failed it.
int fuzz(const Target& t, double seconds, uint64_t seed, const fs::path& corpus_root, bool keep) {
  const auto dir = corpus_root / t.name;
  auto corpus = load_corpus(dir);
  if (corpus.empty()) corpus.push_back("");
  g_crash_path = (dir / "crash-current").string();
  fs::create_directories(dir);
  std::mt19937_64 rng(seed);
  std::set<std::string> outcomes;
  int64_t runs = 0, accepted = 0, kept = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  // Every corpus entry as it is first, then mutations.
  for (size_t i = 0; std::chrono::steady_clock::now() < end || i < corpus.size(); ++i) {
    g_current = i < corpus.size() ? corpus[i] : mutate(corpus[rng() % corpus.size()], rng, corpus);
    std::string result;
    try {
      t.run(g_current);
      result = "ok";
      ++accepted;
    } catch (const Error& e) {
      result = outcome(e.what());
    } catch (const std::exception& e) {
      const auto path = dir / ("crash-" + sha256_hex(g_current).substr(0, 16));
      std::ofstream(path, std::ios::binary) << g_current;
      std::fprintf(stderr, "rlnas_fuzz %s: FAILED: %s (not an rlnas::Error) on the input saved as %s\n", t.name,
                   e.what(), path.c_str());
      return 1;
    }
    ++runs;
    if (outcomes.insert(result).second && keep && i >= corpus.size() && g_current.size() < 4096 && kept < 20) {
      std::ofstream(dir / ("kept-" + sha256_hex(g_current).substr(0, 16)), std::ios::binary) << g_current;
      ++kept;
    }
  }
  std::printf("rlnas_fuzz %-10s %8lld inputs, %6lld accepted, %4zu outcomes%s\n", t.name, static_cast<long long>(runs),
              static_cast<long long>(accepted), outcomes.size(),
              keep ? (", " + std::to_string(kept) + " kept in the corpus").c_str() : "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = argc > 1 ? argv[1] : "";
  double seconds = 2;
  uint64_t seed = 1;
  fs::path corpus = RLNAS_FUZZ_CORPUS;
  bool keep = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::stoull(argv[++i]);
    } else if (a == "--corpus" && i + 1 < argc) {
      corpus = argv[++i];
    } else if (a == "--keep") {
      keep = true;
    } else {
      which.clear();
      break;
    }
  }
  std::string names;
  for (const auto& t : targets()) names += std::string(names.empty() ? "" : "|") + t.name;
  if (which.empty()) {
    std::fprintf(stderr, "usage: rlnas_fuzz %s|all [--seconds S] [--seed N] [--corpus DIR] [--keep]\n", names.c_str());
    return 2;
  }
  install_handlers();
  int failed = 0, ran = 0;
  for (const auto& t : targets()) {
    if (which != "all" && which != t.name) continue;
    ++ran;
    failed += fuzz(t, seconds, seed, corpus, keep);
  }
  std::error_code ec;
  fs::remove_all(scratch(), ec);
  if (ran == 0) {
    std::fprintf(stderr, "rlnas_fuzz: no target '%s'; the targets are %s\n", which.c_str(), names.c_str());
    return 2;
  }
  return failed == 0 ? 0 : 1;
}
