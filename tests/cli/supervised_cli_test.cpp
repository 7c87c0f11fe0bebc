// The supervised workload from the command line (issue 28): `rlnas train --dataset`, `rlnas eval`
// of its run, exact resume after kill -9 in the middle of an epoch, bad data and options, and a
// search on a dataset whose test split never reaches selection. Short: 1,000-2,000 training images.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_util.h"

namespace rlnas::cli_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kFashion = "/usr/share/datasets/fashion-mnist";

bool have_fashion_mnist() { return fs::exists(kFashion / "train-images-idx3-ubyte.gz"); }

#define REQUIRE_FASHION_MNIST()                                                                      \
  if (!have_fashion_mnist()) GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed here " \
                                             "(bash scripts/setup installs it)"

// A short training on the first `images` training images: LeNet unless `net` says otherwise.
std::string train_args(const fs::path& out, int64_t images, int64_t epochs, const std::string& extra = "") {
  return "--store '' train --dataset fashion-mnist --epochs " + std::to_string(epochs) +
         " --set supervised.train_images=" + std::to_string(images) +
         " --set supervised.validation_images=1000 --quiet --out " + q(out) + " " + extra;
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// metrics.jsonl without its clock fields.
std::vector<std::string> clock_free_lines(const fs::path& run) {
  std::vector<std::string> out;
  for (const auto& line : lines_of(run / "metrics.jsonl")) {
    auto j = json::parse(line);
    j.erase("time");
    j.erase("images_per_s");
    j.erase("eval_images_per_s");
    out.push_back(j.dump());
  }
  return out;
}

json eval_json(const fs::path& run) {
  std::ifstream in(run / "eval.json");
  return json::parse(in);
}

TEST(SupervisedCli, TrainsLeNetAndEvaluatesTheTestSet) {
  REQUIRE_FASHION_MNIST();
  const auto d = fresh_folder("rlnas_supervised_cli", "train");
  const auto r = run(train_args(d / "run", 2000, 2));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "test accuracy")) << r.out;
  const auto lines = lines_of(d / "run" / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  const auto last = json::parse(lines.back());
  EXPECT_EQ(last["step"], 2);
  // Chance is 10%: two epochs of 2,000 images take LeNet well past it.
  EXPECT_GT(last["validation_accuracy"].get<double>(), 50) << lines.back();
  const auto e = eval_json(d / "run");
  EXPECT_EQ(e["test"]["images"], 10000);
  EXPECT_GT(e["test"]["accuracy"].get<double>(), 50);
  // rlnas eval computes the same test figures from the checkpoint.
  const auto ev = run("eval --run " + q(d / "run") + " --json");
  ASSERT_EQ(ev.code, 0) << ev.out;
  const auto ej = json::parse(ev.out.substr(ev.out.find('{')));
  EXPECT_NEAR(ej["accuracy"].get<double>(), e["test"]["accuracy"].get<double>(), 1e-9);
}

// kill -9 between checkpoints inside an epoch; the resumed run's lines and test figures equal an
// uninterrupted run's.
TEST(SupervisedCli, ResumesExactlyAfterAKillInTheMiddleOfAnEpoch) {
  REQUIRE_FASHION_MNIST();
  const auto d = fresh_folder("rlnas_supervised_cli", "kill");
  const std::string extra = "--set supervised.checkpoint_batches=3 --set supervised.augment=crop+flip";
  ASSERT_EQ(run(train_args(d / "ref", 1500, 2, extra)).code, 0);
  const auto runf = d / "run";
  const pid_t pid = spawn(train_args(runf, 1500, 2, extra), (d / "log").string());
  // The first checkpoint falls after 3 of the epoch's 12 minibatches.
  ASSERT_TRUE(wait_for([&] { return fs::exists(runf / "checkpoint.ckpt"); }, 120)) << slurp(d / "log");
  ::kill(pid, SIGKILL);
  wait_exit(pid, 10);
  ASSERT_FALSE(fs::exists(runf / "eval.json")) << "finished before the kill";
  const auto r = run("--store '' train --resume " + q(runf) + " --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(clock_free_lines(runf), clock_free_lines(d / "ref"));
  EXPECT_EQ(eval_json(runf), eval_json(d / "ref"));
}

TEST(SupervisedCli, BadDataAndOptionsAreClearErrors) {
  const auto d = fresh_folder("rlnas_supervised_cli", "errors");
  const auto missing = run("--store '' train --dataset idx:" + (d / "none").string() + " --out " + q(d / "a"));
  EXPECT_EQ(missing.code, 1);
  EXPECT_TRUE(contains(missing.out, "no train-images-idx3-ubyte")) << missing.out;
  const auto bad = run("--store '' train --dataset mnist --out " + q(d / "b"));
  EXPECT_NE(bad.code, 0);
  EXPECT_TRUE(contains(bad.out, "expected fashion-mnist or idx:DIR")) << bad.out;
  const auto env = run("--store '' train --dataset fashion-mnist --env classic/cartpole --out " + q(d / "c"));
  EXPECT_NE(env.code, 0);
  EXPECT_TRUE(contains(env.out, "'env' is not one of the supervised workload")) << env.out;
  // A truncated image file.
  fs::create_directories(d / "idx");
  {
    std::ofstream f(d / "idx" / "train-images-idx3-ubyte", std::ios::binary);
    const unsigned char header[] = {0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3};
    f.write(reinterpret_cast<const char*>(header), sizeof header);
  }
  for (const char* name : {"train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    std::ofstream(d / "idx" / name) << "x";
  }
  const auto truncated = run("--store '' train --dataset idx:" + (d / "idx").string() + " --out " + q(d / "e"));
  EXPECT_EQ(truncated.code, 1);
  EXPECT_TRUE(contains(truncated.out, "truncated")) << truncated.out;
  EXPECT_FALSE(fs::exists(d / "e" / "config.json")) << "bad data must leave no run folder";
  if (have_fashion_mnist()) {
    const auto nature = run(train_args(d / "f", 500, 1, "--net nature_cnn"));
    EXPECT_EQ(nature.code, 1);
    EXPECT_TRUE(contains(nature.out, "nature_cnn: needs H, W >= 36")) << nature.out;
  }
}

// Fashion-MNIST's files with the test labels rotated ((label + 1) mod 10): another test set.
void write_rotated_test_labels(const fs::path& dir) {
  fs::create_directories(dir);
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"}) {
    fs::copy_file(kFashion / name, dir / name);
  }
  ASSERT_EQ(run_command("gzip -dc " + q(kFashion / "t10k-labels-idx1-ubyte.gz") + " > " +
                        q(dir / "t10k-labels-idx1-ubyte.orig"))
                .code,
            0);
  std::ifstream in(dir / "t10k-labels-idx1-ubyte.orig", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = static_cast<char>((bytes[i] + 1) % 10);
  std::ofstream(dir / "t10k-labels-idx1-ubyte", std::ios::binary) << bytes;
  fs::remove(dir / "t10k-labels-idx1-ubyte.orig");
}

json summary_of(const fs::path& store) {
  const auto r = run("--store " + q(store) + " runs show 1 --json");
  return json::parse(r.out.substr(r.out.find('{')))["summary"];
}

// The same search on two datasets that differ only in their test labels picks the same
// architecture with the same validation figures: nothing of the test split reaches selection.
TEST(SupervisedCli, ASearchSelectsOnValidationAndNeverOnTheTestSplit) {
  REQUIRE_FASHION_MNIST();
  const auto d = fresh_folder("rlnas_supervised_cli", "search");
  write_rotated_test_labels(d / "rotated");
  const std::string common =
      " search --space image/small --strategy random --top-k 3 --seeds 1 --baselines none "
      "--epochs 1 --set supervised.train_images=1000 --set supervised.validation_images=1000 --jobs 2 ";
  const auto a = run("--store " + q(d / "a.db") + common + "--dataset fashion-mnist --out " + q(d / "a"));
  ASSERT_EQ(a.code, 0) << a.out;
  const auto b = run("--store " + q(d / "b.db") + common + "--dataset idx:" + (d / "rotated").string() + " --out " +
                     q(d / "b"));
  ASSERT_EQ(b.code, 0) << b.out;
  const auto sa = summary_of(d / "a.db"), sb = summary_of(d / "b.db");
  ASSERT_FALSE(sa["rows"].empty());
  EXPECT_EQ(sa["selection"]["metric"], "validation_accuracy");
  EXPECT_EQ(sa["selection"]["test_metric"], "test_accuracy");
  const auto& fa = sa["rows"][0];
  const auto& fb = sb["rows"][0];
  EXPECT_EQ(fa["kind"], "found");
  EXPECT_EQ(fa["arch_id"], fb["arch_id"]);
  EXPECT_EQ(fa["selection"], fb["selection"]);
  // The rotated labels are wrong for almost every image the classifier gets right.
  EXPECT_GT(fa["total_reward"].get<double>(), fb["total_reward"].get<double>() + 20) << fa.dump() << fb.dump();
}

// Every one-shot strategy runs on a dataset in its supervised form: a supernet trained on training
// minibatches, the strategy stepping on validation minibatches (ENAS's reward, DARTS's and GDAS's
// alpha) or scoring paths on validation images (SPOS); its pick retrained and tested.
TEST(SupervisedCli, OneShotStrategiesSearchOnADataset) {
  REQUIRE_FASHION_MNIST();
  const auto d = fresh_folder("rlnas_supervised_cli", "one_shot");
  for (const std::string strategy : {"spos", "enas", "darts", "gdas"}) {
    const auto store = d / (strategy + ".db");
    const auto r = run("--store " + q(store) + " search --dataset fashion-mnist --space image/small --strategy " +
                       strategy +
                       " --top-k 1 --seeds 1 --baselines none --epochs 1 --set supervised.train_images=1000 "
                       "--set supervised.validation_images=1000 --set search.spos.proxy_images=100 " +
                       // ENAS's controller updates within the 8 minibatches (every 2 children)
                       (strategy == "enas" ? "--set search.enas.batch=2 " : "") + "--out " + q(d / strategy));
    ASSERT_EQ(r.code, 0) << strategy << ": " << r.out;
    const auto s = summary_of(store);
    ASSERT_FALSE(s["rows"].empty()) << strategy;
    EXPECT_EQ(s["rows"][0]["kind"], "found") << strategy;
    EXPECT_TRUE(s["rows"][0]["total_reward"].is_number()) << strategy << ": " << s["rows"][0].dump();
    // The supernet trial: 8 minibatches of 128 of the 1,000 training images.
    EXPECT_EQ(s["learning"].value("supernet_minibatches", int64_t{0}), 8) << strategy << ": " << s["learning"].dump();
    if (strategy == "spos") {  // runs show says what the search trained: its space, test accuracies
      const auto show = run("--store " + q(store) + " runs show 1");
      EXPECT_NE(show.out.find("network   search space image/small (strategy spos)"), std::string::npos) << show.out;
      EXPECT_NE(show.out.find("epochs, seed"), std::string::npos) << show.out;
      EXPECT_NE(show.out.find("TEST ACCURACY"), std::string::npos) << show.out;
      // runs list names the dataset and the optimizer where an RL run names its environment and algorithm
      const auto list = run("--store " + q(store) + " runs list --json");
      const auto rows = json::parse(list.out);
      ASSERT_EQ(rows.size(), 1u) << list.out;
      EXPECT_EQ(rows[0]["env"], "fashion-mnist") << list.out;
      EXPECT_EQ(rows[0]["algo"], "sgd") << list.out;
    }
    if (strategy == "darts" || strategy == "gdas") {
      const auto alpha = run_command("find " + q(d / strategy) + " -name alpha.jsonl | head -1");
      EXPECT_FALSE(alpha.out.empty()) << strategy << ": no alpha.jsonl";
    }
  }
}


// DARTS's second-order step (arch.order 2) on a dataset: it runs, it changes alpha's path (the
// same run at first order ends with other op probabilities), the run records it with DARTS's alpha
// weight decay; under Gumbel mixing it is refused.
TEST(SupervisedCli, DartsSecondOrderStepRunsAndDiffersFromFirstOrder) {
  REQUIRE_FASHION_MNIST();
  const auto d = fresh_folder("rlnas_supervised_cli", "darts_order");
  const std::string mixed = "--space image/small --set net.mixed=softmax --set arch.lr=0.01 ";
  const auto first = run(train_args(d / "first", 1000, 1, mixed));
  ASSERT_EQ(first.code, 0) << first.out;
  const auto second = run(train_args(d / "second", 1000, 1, mixed + "--set arch.order=2"));
  ASSERT_EQ(second.code, 0) << second.out;
  const auto probs = [&](const char* name) {
    const auto lines = lines_of(d / name / "alpha.jsonl");
    EXPECT_FALSE(lines.empty()) << name;
    return lines.empty() ? json() : json::parse(lines.back())["groups"];
  };
  EXPECT_NE(probs("first"), probs("second"));
  const auto config = json::parse(slurp(d / "second" / "config.json"));
  EXPECT_EQ(config.value("arch.order", 0), 2) << config.dump();
  EXPECT_DOUBLE_EQ(config.value("arch.weight_decay", 0.0), 1e-3) << config.dump();
  const auto gumbel = run(train_args(d / "gumbel", 1000, 1, "--space image/small --set net.mixed=gumbel --set arch.order=2"));
  EXPECT_EQ(gumbel.code, 1) << gumbel.out;
  EXPECT_NE(gumbel.out.find("arch.order 2: DARTS's second-order step needs arch.level bi and net.mixed softmax"),
            std::string::npos)
      << gumbel.out;
}

// A single-path supernet at a rate where its unclipped weights diverge to NaN within an epoch here
// (lr 0.05; a new path every minibatch): the default clip (supervised.grad_clip -1: 5 for
// supernets) keeps every loss finite and the validation accuracy, the mean over drawn paths, above
// chance (10%). The final lines say there is no test figure.
TEST(SupervisedCli, ASupernetsGradientIsClippedAndItsValidationIsOverPaths) {
  REQUIRE_FASHION_MNIST();
  const auto d = fresh_folder("rlnas_supervised_cli", "supernet_clip");
  const auto r = run(train_args(d / "run", 2000, 2,
                                "--space image/small --set net.supernet=true --set supervised.lr=0.05"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("no test figure: a supernet is many networks"), std::string::npos) << r.out;
  const auto lines = lines_of(d / "run" / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& line : lines) {
    const auto j = json::parse(line);
    EXPECT_TRUE(j["train_loss"].is_number()) << line;
    EXPECT_TRUE(j["validation_loss"].is_number()) << line;
  }
  EXPECT_GT(json::parse(lines.back())["validation_accuracy"].get<double>(), 15.0) << lines.back();
  std::ifstream in(d / "run" / "config.json");
  EXPECT_EQ(json::parse(in).at("supervised.grad_clip"), -1);
}

}  // namespace
}  // namespace rlnas::cli_test
