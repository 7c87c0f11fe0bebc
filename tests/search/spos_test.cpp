// SPOS selection: proxy rewards of every architecture with weights inherited from a trained supernet.
#include <gtest/gtest.h>

#include <set>

#include "../common/error_of.h"
#include "../rl/run_test_util.h"
#include "rlnas/rl/trainer.h"
#include "rlnas/search/spos.h"
#include "rlnas/space/space.h"

namespace rlnas::search {
namespace {

using test_util::error_of;

std::string trained_supernet() {
  static const std::string dir = [] {
    const auto d = rl::test_util::fresh_dir("spos_test", "supernet");
    rl::TrainSources s;
    s.flags = {{"env", "minatar/breakout"}, {"algo", "ppo"},   {"net.space", "minatar/ss1"},
               {"net.supernet", "true"},    {"steps", "512"},  {"seed", "3"},
               {"eval.episodes", "1"},      {"checkpoint_every", "0"}};
    s.sets = {"ppo.num_envs=4", "ppo.num_steps=32"};
    rl::train(rl::resolve_train_config(s, rl::test_util::registry()), rl::test_util::registry(),
              {.run_dir = d.string(), .quiet = true});
    return d.string();
  }();
  return dir;
}

TEST(Spos, ScoresEveryArchitectureAndRanksThemBestFirst) {
  const auto archs = space::find_space("minatar/ss1").enumerate();
  const auto scores = spos_proxy_scores(trained_supernet(), rl::test_util::registry(), archs, {.episodes = 2});
  ASSERT_EQ(scores.size(), 25u);
  std::set<std::string> ids;
  for (size_t i = 0; i < scores.size(); ++i) {
    ids.insert(scores[i].arch.id());
    EXPECT_EQ(scores[i].episodes, 2);
    if (i > 0) {
      EXPECT_GE(scores[i - 1].mean_return, scores[i].mean_return);
    }
  }
  EXPECT_EQ(ids.size(), 25u);
  // exhaustive selection = the best proxy; the same seeds give the same scores
  const auto again = spos_proxy_scores(trained_supernet(), rl::test_util::registry(), archs, {.episodes = 2});
  EXPECT_EQ(again.front().arch, scores.front().arch);
  for (size_t i = 0; i < scores.size(); ++i) EXPECT_EQ(again[i].mean_return, scores[i].mean_return);
  // every path acts through its own ops: the scores are not all the same policy
  std::set<double> distinct;
  for (const auto& s : scores) distinct.insert(s.mean_return);
  EXPECT_GT(distinct.size(), 1u);
}

TEST(Spos, RefusesRunsOfOneNetworkAndArchitecturesOfAnotherSpace) {
  const auto other = space::find_space("minatar/ss2").enumerate();
  EXPECT_NE(error_of([&] {
              spos_proxy_scores(trained_supernet(), rl::test_util::registry(), {other[0]}, {.episodes = 1});
            }).find("belongs to space 'minatar/ss2'"),
            std::string::npos);
  const auto d = rl::test_util::fresh_dir("spos_test", "single");
  rl::TrainSources s;
  s.flags = {{"env", "minatar/breakout"}, {"algo", "ppo"}, {"net.named", "minatar/ss1/nature"}, {"steps", "128"},
             {"eval.episodes", "1"}};
  s.sets = {"ppo.num_envs=2", "ppo.num_steps=64"};
  rl::train(rl::resolve_train_config(s, rl::test_util::registry()), rl::test_util::registry(), {.run_dir = d.string(), .quiet = true});
  EXPECT_NE(error_of([&] {
              spos_proxy_scores(d.string(), rl::test_util::registry(), space::find_space("minatar/ss1").enumerate(), {});
            }).find("not a supernet"),
            std::string::npos);
}

}  // namespace
}  // namespace rlnas::search
