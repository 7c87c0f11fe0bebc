// Training runs: determinism, resume, config validation, checkpoint integrity.
#include "rlnas/rl/trainer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/rl/checkpoint.h"
#include "rlnas/space/supernet.h"
#include "run_test_util.h"

namespace rlnas::rl {
namespace {

namespace fs = std::filesystem;
using test_util::expect_same_weights;
using test_util::metric_lines;
using test_util::registry;

fs::path fresh_dir(const std::string& name) { return test_util::fresh_dir("trainer_test", name); }
std::vector<torch::Tensor> weights(const std::string& run_dir) { return test_util::final_weights(run_dir); }

TrainConfig small_config(const std::string& algo, int64_t steps, std::vector<std::string> sets = {}) {
  TrainSources s;
  s.flags = {{"env", "classic/cartpole"},      {"algo", algo}, {"net.name", "mlp"},
             {"steps", std::to_string(steps)}, {"seed", "3"},  {"eval.episodes", "2"}};
  s.sets = std::move(sets);
  return resolve_train_config(s, registry());
}

TEST(Trainer, SameSeedSameThreadsSameRun) {
  const auto a = fresh_dir("same_a"), b = fresh_dir("same_b");
  for (const auto& dir : {a, b}) {
    auto config = small_config("ppo", 2048, {"ppo.num_envs=4", "ppo.num_steps=64", "log_every=256"});
    train(config, registry(), {.run_dir = dir.string(), .quiet = true});
  }
  expect_same_weights(weights(a.string()), weights(b.string()));
  EXPECT_EQ(metric_lines(a), metric_lines(b));
  EXPECT_EQ(metric_lines(a).size(), 8u);
  EXPECT_TRUE(fs::exists(a / "eval.json"));
  EXPECT_TRUE(fs::exists(a / "config.json"));
}

TEST(Trainer, MetricLinesAverageTheIterationsOfTheirWindow) {
  // The same run logged every iteration (256 steps) and every 1000 steps: the coarse lines come
  // at the first step past each multiple of 1000 and at the end, holding the window's means.
  const auto fine = fresh_dir("log_fine"), coarse = fresh_dir("log_coarse");
  for (const auto& [dir, every] : {std::pair{fine, "256"}, std::pair{coarse, "1000"}}) {
    auto config = small_config("ppo", 2304, {"ppo.num_envs=4", "ppo.num_steps=64", std::string("log_every=") + every});
    train(config, registry(), {.run_dir = dir.string(), .quiet = true});
  }
  std::vector<nlohmann::json> f, c;
  for (const auto& l : metric_lines(fine)) f.push_back(nlohmann::json::parse(l));
  for (const auto& l : metric_lines(coarse)) c.push_back(nlohmann::json::parse(l));
  ASSERT_EQ(f.size(), 9u);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0]["step"], 1024);
  EXPECT_EQ(c[1]["step"], 2048);
  EXPECT_EQ(c[2]["step"], 2304);  // the end of the budget
  const auto mean = [&](const char* key, size_t from, size_t to) {
    double sum = 0;
    for (size_t i = from; i < to; ++i) sum += f[i][key].get<double>();
    return sum / static_cast<double>(to - from);
  };
  for (const char* key : {"policy_loss", "value_loss", "entropy"}) {
    EXPECT_NEAR(c[0][key].get<double>(), mean(key, 0, 4), 1e-9) << key;
    EXPECT_NEAR(c[1][key].get<double>(), mean(key, 4, 8), 1e-9) << key;
    EXPECT_NEAR(c[2][key].get<double>(), mean(key, 8, 9), 1e-9) << key;
  }
  EXPECT_EQ(c[1]["episodes"], f[7]["episodes"]);
  EXPECT_EQ(c[1]["return_mean"], f[7]["return_mean"]);
}

TEST(Trainer, ResumedRunEndsWhereAnUninterruptedOneWould) {
  for (const std::string algo : {"ppo", "a2c"}) {
    const auto whole = fresh_dir("whole_" + algo), parts = fresh_dir("parts_" + algo);
    const int64_t steps = algo == "ppo" ? 2048 : 1600;
    const std::vector<std::string> sets = {algo + ".num_envs=4", "checkpoint_every=0", algo + ".norm_obs=true",
                                           algo + ".norm_reward=true"};
    auto config = small_config(algo, steps, sets);
    train(config, registry(), {.run_dir = whole.string(), .quiet = true});
    auto first = small_config(algo, steps, sets);
    const auto stopped =
        train(first, registry(), {.run_dir = parts.string(), .quiet = true, .stop_after_steps = steps / 2});
    EXPECT_TRUE(stopped.interrupted);
    auto resumed_config = load_run_config(parts.string(), registry());
    const auto resumed = train(resumed_config, registry(), {.run_dir = parts.string(), .resume = true, .quiet = true});
    EXPECT_FALSE(resumed.interrupted);
    EXPECT_EQ(resumed.steps, steps);
    expect_same_weights(weights(whole.string()), weights(parts.string()));
    EXPECT_EQ(metric_lines(whole), metric_lines(parts)) << algo;
  }
}

std::vector<std::string> file_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

void write_lines(const fs::path& path, const std::vector<std::string>& lines, const std::string& tail = "") {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& l : lines) out << l << "\n";
  out << tail;
}

// What a kill -9 after a checkpoint leaves (lines past the checkpoint's step, a last line cut
// before its newline) is removed by a resume, which then ends exactly as an uninterrupted run.
// Any other damaged line is refused, naming file:line, and nothing is deleted.
TEST(Trainer, ResumeRemovesOnlyWhatAKillLeavesAndRefusesDamagedLines) {
  const std::vector<std::string> sets = {"ppo.num_envs=4", "ppo.num_steps=32", "log_every=128", "checkpoint_every=512"};
  const int64_t steps = 2048;
  const auto whole = fresh_dir("repair_whole");
  auto config = small_config("ppo", steps, sets);
  train(config, registry(), {.run_dir = whole.string(), .quiet = true});
  const auto whole_lines = file_lines(whole / "metrics.jsonl");
  ASSERT_EQ(whole_lines.size(), 16u);

  const auto killed = fresh_dir("repair_killed");
  auto first = small_config("ppo", steps, sets);
  train(first, registry(), {.run_dir = killed.string(), .quiet = true, .stop_after_steps = 1024});
  ASSERT_EQ(file_lines(killed / "metrics.jsonl").size(), 8u);  // steps 128 ... 1024, checkpoint at 1024
  // As if the process had gone on two more iterations and been killed in the middle of a line
  // (the run's own 8 lines stay: a resume checks them against the checkpoint).
  auto own = file_lines(killed / "metrics.jsonl");
  own.insert(own.end(), whole_lines.begin() + 8, whole_lines.begin() + 10);
  write_lines(killed / "metrics.jsonl", own, whole_lines[10].substr(0, 17));
  auto resumed = load_run_config(killed.string(), registry());
  train(resumed, registry(), {.run_dir = killed.string(), .resume = true, .quiet = true});
  EXPECT_EQ(metric_lines(whole), metric_lines(killed));
  expect_same_weights(weights(whole.string()), weights(killed.string()));

  const auto damaged = fresh_dir("repair_damaged");
  auto second = small_config("ppo", steps, sets);
  train(second, registry(), {.run_dir = damaged.string(), .quiet = true, .stop_after_steps = 1024});
  auto lines = file_lines(damaged / "metrics.jsonl");
  const auto good = lines[4];
  lines[4] = "garbage written over line 5";
  write_lines(damaged / "metrics.jsonl", lines);
  auto again = load_run_config(damaged.string(), registry());
  try {
    train(again, registry(), {.run_dir = damaged.string(), .resume = true, .quiet = true});
    ADD_FAILURE() << "a damaged metrics line was accepted";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("metrics.jsonl:5"), std::string::npos) << what;
    EXPECT_NE(what.find("Repair"), std::string::npos) << what;
  }
  EXPECT_EQ(file_lines(damaged / "metrics.jsonl"), lines);  // nothing deleted
  lines[4] = good;                                          // repaired as the message says
  write_lines(damaged / "metrics.jsonl", lines);
  train(again, registry(), {.run_dir = damaged.string(), .resume = true, .quiet = true});
  EXPECT_EQ(metric_lines(whole), metric_lines(damaged));
}

// A run killed before its first checkpoint resumes by starting again at step 0.
TEST(Trainer, ResumeBeforeTheFirstCheckpointStartsAgain) {
  const std::vector<std::string> sets = {"ppo.num_envs=4", "ppo.num_steps=32", "log_every=128", "checkpoint_every=0"};
  const auto whole = fresh_dir("early_whole"), early = fresh_dir("early_killed");
  auto config = small_config("ppo", 1024, sets);
  train(config, registry(), {.run_dir = whole.string(), .quiet = true});
  fs::create_directories(early);
  fs::copy_file(whole / "config.json", early / "config.json");
  const auto lines = file_lines(whole / "metrics.jsonl");
  write_lines(early / "metrics.jsonl", {lines[0], lines[1]}, "{\"step\": 38");
  auto resumed = load_run_config(early.string(), registry());
  const auto r = train(resumed, registry(), {.run_dir = early.string(), .resume = true, .quiet = true});
  EXPECT_FALSE(r.interrupted);
  EXPECT_EQ(metric_lines(whole), metric_lines(early));
  expect_same_weights(weights(whole.string()), weights(early.string()));
}

// Two processes (or two trainings) cannot write one run folder at once.
TEST(Trainer, ARunFolderInUseIsRefused) {
  const auto dir = fresh_dir("locked");
  fs::create_directories(dir);
  const auto lock = io::FileLock::acquire((dir / "run.lock").string(), "test");
  auto config = small_config("a2c", 160);
  try {
    train(config, registry(), {.run_dir = dir.string(), .quiet = true});
    ADD_FAILURE() << "a locked run folder was written";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("in use by pid " + std::to_string(::getpid())), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "metrics.jsonl"));
}

TEST(TrainConfig, DefaultNetworkFitsTheObservation) {
  TrainSources vector_obs;
  vector_obs.flags = {{"env", "classic/cartpole"}};
  EXPECT_EQ(resolve_train_config(vector_obs, registry()).net.backbone_options().name, "mlp");
  TrainSources image_obs;
  image_obs.flags = {{"env", "minatar/breakout"}};
  EXPECT_EQ(resolve_train_config(image_obs, registry()).net.backbone_options().name, "minatar");
  TrainSources named;
  named.flags = {{"env", "minatar/breakout"}, {"net.name", "nature_cnn"}};
  EXPECT_EQ(resolve_train_config(named, registry()).net.backbone_options().name, "nature_cnn");
}

TEST(Trainer, RefusesToOverwriteARun) {
  const auto dir = fresh_dir("overwrite");
  auto config = small_config("a2c", 160);
  train(config, registry(), {.run_dir = dir.string(), .quiet = true});
  auto again = small_config("a2c", 160);
  EXPECT_THROW(train(again, registry(), {.run_dir = dir.string(), .quiet = true}), Error);
}

std::string config_error(const std::string& yaml, std::vector<std::string> sets = {}) {
  const auto path = fs::temp_directory_path() / ("rlnas_cfg_" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << yaml;
  TrainSources s;
  s.config_file = path.string();
  s.sets = std::move(sets);
  try {
    resolve_train_config(s, registry());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TrainConfig, YamlErrorsNameTheKeyAndTheLine) {
  const std::string base = "env: classic/cartpole\nalgo: ppo\n";
  auto msg = config_error(base + "ppo:\n  lr: fast\n");
  EXPECT_NE(msg.find(":4: option 'ppo.lr' expects a number in [0, 1], found 'fast'"), std::string::npos) << msg;
  msg = config_error(base + "ppo:\n  learning_rate: 0.1\n");
  EXPECT_NE(msg.find(":4: unknown option 'ppo.learning_rate'"), std::string::npos) << msg;
  msg = config_error(base + "steps: -5\n");
  EXPECT_NE(msg.find(":3: option 'steps' expects an integer in [1, "), std::string::npos) << msg;
  msg = config_error(base + "dqn:\n  lr: 0.1\n");
  EXPECT_NE(msg.find("option 'dqn.lr' is for algo 'dqn', but algo is 'ppo'"), std::string::npos) << msg;
  msg = config_error(base + "env_options:\n  max_steps: abc\n");
  EXPECT_NE(msg.find("option 'max_steps' expects an integer"), std::string::npos) << msg;
  msg = config_error("env: [unclosed\n");
  EXPECT_NE(msg.find("YAML syntax error"), std::string::npos) << msg;
  msg = config_error(base, {"preset=a2c.a2d"});
  EXPECT_NE(msg.find("preset 'a2c.a2d' is for algo 'a2c', but algo is 'ppo'"), std::string::npos) << msg;
}

TEST(TrainConfig, PriorityIsPresetThenFileThenSetThenFlags) {
  const auto path = fs::temp_directory_path() / ("rlnas_prio_" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << "env: classic/cartpole\npreset: ppo.nas-rl\nppo:\n  clip_coef: 0.3\n  vf_coef: 0.7\n";
  TrainSources s;
  s.config_file = path.string();
  s.sets = {"ppo.vf_coef=0.9"};
  s.flags = {{"steps", "1234"}};
  const auto c = resolve_train_config(s, registry());
  const auto j = c.to_json();
  EXPECT_EQ(j["ppo.lr_schedule"], "cosine");  // from the preset
  EXPECT_EQ(j["ppo.epochs"], 5);              // from the preset
  EXPECT_EQ(j["ppo.clip_coef"], 0.3);         // file over preset
  EXPECT_EQ(j["ppo.vf_coef"], 0.9);           // --set over file
  EXPECT_EQ(j["steps"], 1234);                // flag
}

TEST(Checkpoint, DetectsCorruptionTruncationAndWrongNetworks) {
  const auto dir = fresh_dir("ckpt");
  fs::create_directories(dir);
  const auto path = (dir / "c.ckpt").string();
  write_checkpoint(path, {"ppo", "net A", 10}, std::string(1000, 'x'));
  const auto ok = read_checkpoint(path);
  EXPECT_EQ(ok.header.step, 10);
  EXPECT_NO_THROW(check_identity(ok, "net A", path));
  try {
    check_identity(ok, "net B", path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint: net A"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("this run:   net B"), std::string::npos);
  }
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string flipped = bytes;
  flipped[flipped.size() - 7] ^= 0x10;
  std::ofstream(path, std::ios::binary) << flipped;
  EXPECT_THROW(read_checkpoint(path), Error);
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() - 3);
  EXPECT_THROW(read_checkpoint(path), Error);
  std::ofstream(path, std::ios::binary) << "not a checkpoint";
  EXPECT_THROW(read_checkpoint(path), Error);
}

TEST(Checkpoint, ResumingWithAnotherNetworkIsRefused) {
  const auto dir = fresh_dir("mismatch");
  auto config = small_config("a2c", 320);
  train(config, registry(), {.run_dir = dir.string(), .quiet = true});
  // Edit the stored config to a wider network: the checkpoint no longer fits.
  std::ifstream in(dir / "config.json");
  auto j = nlohmann::json::parse(in);
  j["net.mlp_hidden"] = {32};
  std::ofstream(dir / "config.json") << j.dump();
  try {
    load_trained_algorithm(dir.string(), registry());
    FAIL() << "loaded a checkpoint into a different network";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("was made for a different network"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rlnas::rl

namespace rlnas::rl {
namespace {

TEST(Trainer, TrainsAnyArchitectureOfASpace) {
  const auto dir = test_util::fresh_dir("trainer_test", "space_arch");
  TrainSources s;
  s.flags = {{"env", "minatar/breakout"},
             {"algo", "ppo"},
             {"net.named", "minatar/ss1/nature"},
             {"steps", "256"},
             {"seed", "2"},
             {"eval.episodes", "1"}};
  s.sets = {"ppo.num_envs=2", "ppo.num_steps=64"};
  auto config = resolve_train_config(s, registry());
  EXPECT_EQ(config.net.space(), "minatar/ss1");
  EXPECT_EQ(config.net.arch().canonical_json(),
            R"({"choices":{"conv2.kernel":4,"conv3.kernel":3},"space":"minatar/ss1","version":1})");
  const auto result = train(config, registry(), {.run_dir = dir.string(), .quiet = true});
  EXPECT_EQ(result.steps, 256);
  // config.json holds the architecture itself; the trained agent loads back with it
  TrainConfig loaded;
  auto algo = load_trained_algorithm(dir.string(), registry(), &loaded);
  EXPECT_EQ(loaded.net.arch(), config.net.arch());
  // the minatar/ss1 (4, 3) network (120,592 parameters) plus linear policy and value heads on its 128 features
  const int64_t actions = registry().make("minatar/breakout", {})->action_spec().n;
  EXPECT_EQ(nn::count_parameters(algo->network()), 120592 + (128 * actions + actions) + (128 + 1));
  // the same run with another kernel is another network: the checkpoint refuses it
  auto other = config.to_json();
  other["net.arch"] = R"({"choices":{"conv2.kernel":5,"conv3.kernel":3},"space":"minatar/ss1","version":1})";
  std::ofstream(dir / "config.json") << other.dump(2);
  EXPECT_THROW(load_trained_algorithm(dir.string(), registry()), Error);
}

// The error resolving a MinAtar Breakout config with `flags` gives, or "no error".
TEST(Trainer, RejectsArchitecturesThatDoNotFitTheirSpace) {
  const auto message = [](std::vector<std::pair<std::string, std::string>> flags) {
    flags.insert(flags.begin(), {"algo", "ppo"});
    return test_util::flags_error(flags);
  };
  EXPECT_NE(message({{"net.space", "minatar/ss1"},
                     {"net.arch", R"({"space":"minatar/ss1","choices":{"conv2.kernel":7,"conv3.kernel":3}})"}})
                .find("'conv2.kernel' = 7 is not one of its options"),
            std::string::npos);
  EXPECT_NE(message({{"net.space", "minatar/ss2"},
                     {"net.arch", R"({"space":"minatar/ss1","choices":{"conv2.kernel":4,"conv3.kernel":3}})"}})
                .find("but net.space is 'minatar/ss2'"),
            std::string::npos);
  EXPECT_NE(message({{"net.arch", "{oops"}}).find("net.arch: architecture: not valid JSON"), std::string::npos);
  EXPECT_NE(message({{"net.named", "nope"}}).find("unknown named architecture 'nope'"), std::string::npos);
  EXPECT_NE(message({{"net.space", "minatar/ss1"}}).find("no value for decision 'conv2.kernel'"), std::string::npos);
  // a one-point space needs no architecture
  EXPECT_EQ(message({{"net.space", "fixed/minatar"}}), "no error");
}

}  // namespace
}  // namespace rlnas::rl

namespace rlnas::rl {
namespace {

TrainConfig supernet_config(int64_t steps) {
  TrainSources s;
  s.flags = {
      {"env", "minatar/breakout"},      {"algo", "ppo"}, {"net.space", "minatar/ss1"}, {"net.supernet", "true"},
      {"steps", std::to_string(steps)}, {"seed", "4"},   {"eval.episodes", "1"},       {"checkpoint_every", "0"}};
  s.sets = {"ppo.num_envs=2", "ppo.num_steps=32", "log_every=64"};
  return resolve_train_config(s, registry());
}

TEST(Trainer, TrainsASinglePathSupernetAndResumesOnTheSamePaths) {
  const auto whole = test_util::fresh_dir("trainer_test", "supernet_whole");
  const auto parts = test_util::fresh_dir("trainer_test", "supernet_parts");
  train(supernet_config(384), registry(), {.run_dir = whole.string(), .quiet = true});
  const auto stopped =
      train(supernet_config(384), registry(), {.run_dir = parts.string(), .quiet = true, .stop_after_steps = 192});
  EXPECT_TRUE(stopped.interrupted);
  train(load_run_config(parts.string(), registry()), registry(),
        {.run_dir = parts.string(), .resume = true, .quiet = true});
  expect_same_weights(weights(whole.string()), weights(parts.string()));
  EXPECT_EQ(metric_lines(whole), metric_lines(parts));

  // The trained supernet holds every candidate; six iterations drew paths that trained more than
  // one candidate of conv2 (a single fixed path would leave the others at their initial values).
  auto algo = load_trained_algorithm(whole.string(), registry());
  const auto supernets = space::find_supernets(algo->network());
  ASSERT_EQ(supernets.size(), 1u);
  auto fresh = space::make_supernet(space::find_space("minatar/ss1"), {4, 10, 10});
  const auto& trained_layer = supernets[0]->choice_layers()[0];
  const auto& fresh_layer = fresh->choice_layers()[0];
  int moved = 0;
  for (size_t i = 0; i < trained_layer->size(); ++i) {
    const auto a = trained_layer->candidate(i)->parameters(), b = fresh_layer->candidate(i)->parameters();
    moved += !torch::allclose(a[0], b[0]);
  }
  EXPECT_GE(moved, 2);
  // different paths act differently with the shared weights
  const auto obs = torch::rand({8, 4, 10, 10});
  const auto& s = supernets[0]->space();
  torch::NoGradGuard no_grad;
  supernets[0]->set_path(s.make({{"conv2.kernel", 1}, {"conv3.kernel", 1}}));
  const auto f1 = supernets[0]->forward(obs);
  supernets[0]->set_path(s.make({{"conv2.kernel", 5}, {"conv3.kernel", 5}}));
  EXPECT_FALSE(torch::allclose(f1, supernets[0]->forward(obs)));
}

TEST(Trainer, SupernetTrainingNeedsASpaceAndAnOnPolicyAlgorithm) {
  const auto message = [](std::vector<std::pair<std::string, std::string>> flags) {
    flags.insert(flags.begin(), {"net.supernet", "true"});
    return test_util::flags_error(flags);
  };
  EXPECT_NE(message({{"algo", "ppo"}}).find("needs net.space"), std::string::npos);
  EXPECT_NE(message({{"algo", "dqn"}, {"net.space", "minatar/ss1"}}).find("supports the on-policy algorithms"),
            std::string::npos);
  EXPECT_NE(message({{"algo", "ppo"}, {"net.named", "minatar/ss1/nature"}}).find("give no net.arch or net.named"),
            std::string::npos);
  EXPECT_EQ(message({{"algo", "a2c"}, {"net.space", "minatar/ss2"}}), "no error");
}

// The network spec: one choice from the net.* keys, one JSON form, the keys that spell it back.
TEST(NetworkSpec, KeysJsonAndConfigsSpellTheSameNetwork) {
  NetKeys k;
  k.named = "minatar/ss1/nature";
  const auto named = NetworkSpec::from_keys(k, "minatar");
  EXPECT_EQ(named.kind(), NetworkSpec::Kind::architecture);
  EXPECT_EQ(named.space(), "minatar/ss1");
  EXPECT_EQ(NetworkSpec::from_json(named.to_json()).to_json(), named.to_json());
  const auto keys = named.keys();
  EXPECT_EQ(keys.at("net.space"), "minatar/ss1");
  EXPECT_EQ(keys.at("net.supernet"), false);
  EXPECT_EQ(keys.at("net.mixed"), "none");
  EXPECT_FALSE(keys.contains("net.name"));  // a backbone's name is not part of an architecture
  const auto gumbel = NetworkSpec::supernet("minatar/ss1", SupernetKind::gumbel);
  EXPECT_TRUE(gumbel.is_mixed());
  EXPECT_EQ(gumbel.keys().at("net.mixed"), "gumbel");
  EXPECT_EQ(NetworkSpec::from_json(gumbel.to_json()).supernet_kind(), SupernetKind::gumbel);
  EXPECT_EQ(gumbel.identity(/*hard=*/true), " space=minatar/ss1 mixed=gumbel-hard");
  NetKeys none;
  none.backbone.name = "";
  EXPECT_EQ(NetworkSpec::from_keys(none, "mlp").backbone_options().name, "mlp");  // the default backbone
  // A config resolved from a spec's keys builds the same spec.
  TrainSources s;
  s.flags = {{"env", "minatar/breakout"}};
  const auto gumbel_keys = gumbel.keys();  // alive while items() refers into it
  for (const auto& [key, value] : gumbel_keys.items()) {
    s.flags.push_back({key, value.is_string() ? value.get<std::string>() : value.dump()});
  }
  EXPECT_EQ(resolve_train_config(s, registry()).net.to_json(), gumbel.to_json());
}

// A stored configuration (config.json, a search's "train" settings) gives back its network through
// the spec, named architectures and mixed supernets included (runs show reads it so).
TEST(NetworkSpec, AResolvedConfigurationGivesBackItsNetwork) {
  const auto stored = [](std::vector<std::pair<std::string, std::string>> flags) {
    TrainSources s;
    s.flags = std::move(flags);
    return nlohmann::json::parse(resolve_train_config(s, registry()).to_json().dump());
  };
  const auto named = NetworkSpec::from_config(stored({{"env", "minatar/breakout"}, {"net.named", "minatar/ss1/nature"}}));
  EXPECT_EQ(named.kind(), NetworkSpec::Kind::architecture);
  EXPECT_EQ(named.named(), "minatar/ss1/nature");
  EXPECT_EQ(named.arch(), space::find_named_architecture("minatar/ss1/nature").arch);
  const auto mixed = NetworkSpec::from_config(
      {{"train", stored({{"env", "minatar/breakout"}, {"net.space", "minatar/ss1"}, {"net.mixed", "gumbel"}})}});
  EXPECT_EQ(mixed.label(), "minatar/ss1 mixed supernet (gumbel)");
  const auto mlp = NetworkSpec::from_config(stored({{"env", "classic/cartpole"}, {"net.mlp_hidden", "32,16"}}));
  EXPECT_EQ(mlp.backbone_options().name, "mlp");
  EXPECT_EQ(mlp.backbone_options().mlp_hidden, (std::vector<int64_t>{32, 16}));
  try {
    NetworkSpec::from_config({{"net.mixed", "sometimes"}});
    ADD_FAILURE() << "an unknown mixing mode was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("net.mixed"), std::string::npos) << e.what();
  }
  // The keys that choose a space's network, which a search sets per trial.
  EXPECT_EQ(NetworkSpec::space_keys(),
            (std::vector<std::string>{"net.space", "net.arch", "net.named", "net.supernet", "net.mixed"}));
}

// With net.space given, net.arch may be the space's choices alone (inline or @FILE); they must
// still be a whole, valid architecture of it.
TEST(NetworkSpec, AnArchitectureInAGivenSpaceMayBeItsChoicesAlone) {
  const auto& nature = space::find_named_architecture("minatar/ss1/nature").arch;
  NetKeys k;
  k.space = "minatar/ss1";
  k.arch = nature.choices.dump();
  EXPECT_EQ(NetworkSpec::from_keys(k, "minatar").arch(), nature);
  const auto dir = fs::temp_directory_path() / ("rlnas_choices_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "choices.json") << nature.choices.dump(2);
  k.arch = "@" + (dir / "choices.json").string();
  EXPECT_EQ(NetworkSpec::from_keys(k, "minatar").arch(), nature);
  fs::remove_all(dir);
  k.arch = nature.canonical_json();  // the whole form still reads
  EXPECT_EQ(NetworkSpec::from_keys(k, "minatar").arch(), nature);
  auto partial = nature.choices;
  partial.erase(partial.begin());
  k.arch = partial.dump();
  try {
    NetworkSpec::from_keys(k, "minatar");
    ADD_FAILURE() << "a partial architecture was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("net.arch: ", 0), 0u) << e.what();
  }
}

TEST(NetworkSpec, ConflictingKeysAreOneErrorNamingThem) {
  const auto error = [](const NetKeys& k) {
    try {
      NetworkSpec::from_keys(k, "minatar");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  NetKeys both;
  both.space = "minatar/ss1";
  both.supernet = true;
  both.mixed = "softmax";
  EXPECT_NE(error(both).find("two kinds of supernet"), std::string::npos);
  NetKeys mismatch;
  mismatch.named = "minatar/ss1/nature";
  mismatch.space = "minatar/ss2";
  EXPECT_NE(error(mismatch).find("is an architecture of space 'minatar/ss1'"), std::string::npos);
  try {
    NetworkSpec::from_json({{"layers", 3}});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected {\"backbone\""), std::string::npos) << e.what();
  }
}

// A caller's observer runs around every iteration and checkpoints its state with the run.
TEST(Trainer, ObserversRunAroundIterationsAndResumeWithTheirState) {
  struct Counter final : TrainObserver {
    int64_t before = 0, after = 0, lines = 0, loaded = -1, start = -1;
    void before_iteration(const Iteration& it) override {
      if (start < 0) start = it.index;
      EXPECT_EQ(it.index, start + before);  // iterations counted across a resume
      ++before;
    }
    void after_iteration(const Iteration& it) override {
      EXPECT_GT(it.venv->total_steps(), it.steps_before);
      ++after;
    }
    void after_metrics_line(int64_t) override { ++lines; }
    void save(torch::serialize::OutputArchive& a) override { a.write("test_counter", torch::tensor(before)); }
    void load(torch::serialize::InputArchive& a) override {
      torch::Tensor t;
      if (a.try_read("test_counter", t)) loaded = t.item<int64_t>();
    }
  };
  const auto dir = fresh_dir("observer");
  const auto config = small_config("ppo", 4096);
  Counter first;
  train(config, registry(), {.run_dir = dir.string(), .quiet = true, .stop_after_steps = 2048, .observers = {&first}});
  EXPECT_GT(first.before, 0);
  EXPECT_EQ(first.before, first.after);
  EXPECT_EQ(first.lines, static_cast<int64_t>(metric_lines(dir.string()).size()));
  Counter second;
  auto resumed = load_run_config(dir.string(), registry());
  train(resumed, registry(), {.run_dir = dir.string(), .resume = true, .quiet = true, .observers = {&second}});
  EXPECT_EQ(second.loaded, first.before);  // its state came back from the checkpoint
  EXPECT_EQ(second.start, first.before);
  EXPECT_EQ(second.before, 4096 / 1024 - first.before);  // the iterations left (PPO: 8 envs x 128 steps)
}

}  // namespace
}  // namespace rlnas::rl
