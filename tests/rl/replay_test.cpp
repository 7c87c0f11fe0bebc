#include "rlnas/rl/replay.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "rlnas/core/error.h"

namespace rlnas::rl {
namespace {

at::Generator make_gen(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// One stored transition, read back through gather().
struct Stored {
  float reward;
  float discount;
  float next_obs;
  int64_t action;
};

// Every stored transition keyed by its (scalar, unique) observation.
std::map<float, Stored> stored_by_obs(const ReplayBuffer& buffer) {
  const auto batch = buffer.gather(at::arange(buffer.size(), at::kLong));
  std::map<float, Stored> rows;
  for (int64_t i = 0; i < buffer.size(); ++i) {
    const float key = batch.obs[i].item<float>();
    EXPECT_EQ(rows.count(key), 0u) << "obs " << key << " stored twice";
    rows[key] = {batch.rewards[i].item<float>(), batch.discounts[i].item<float>(), batch.next_obs[i].item<float>(),
                 batch.actions[i].item<int64_t>()};
  }
  return rows;
}

at::Tensor floats(std::vector<float> values) { return at::tensor(values, at::kFloat); }
at::Tensor flags(std::vector<int> values) { return at::tensor(values, at::kInt).to(at::kBool); }

ReplayOptions scalar_obs_options(int64_t num_envs, int64_t n_step, double gamma) {
  ReplayOptions o;
  o.capacity = 64;
  o.num_envs = num_envs;
  o.obs_shape = {1};
  o.n_step = n_step;
  o.gamma = gamma;
  return o;
}

// Adds one step of scalar observations (shape [N, 1]).
void add_step(ReplayBuffer& buffer, std::vector<float> obs, std::vector<float> rewards, std::vector<float> next_obs,
              std::vector<int> terminated, std::vector<int> truncated) {
  const auto n = static_cast<int64_t>(obs.size());
  buffer.add(floats(obs).view({n, 1}), at::arange(n, at::kLong), floats(rewards), floats(next_obs).view({n, 1}),
             flags(terminated), flags(truncated));
}

// Fills `buffer` (n = 1, one stream) with transitions whose obs are 0, 1, 2, ...
void add_plain(ReplayBuffer& buffer, int64_t count, int64_t first = 0) {
  for (int64_t t = first; t < first + count; ++t) {
    add_step(buffer, {static_cast<float>(t)}, {static_cast<float>(t)}, {static_cast<float>(t + 1)}, {0}, {0});
  }
}

TEST(ReplayBuffer, NStepReturnsForContinuingTerminatedAndTruncatedStreams) {
  // n = 3, gamma = 0.5; rewards 1, 2, 4, 8, 16 at t = 0..4 in every stream.
  // Stream 0 runs on; stream 1 terminates at t = 1 (two steps pending) and starts a new episode;
  // stream 2 is truncated at t = 3. obs = 100 s + t, next obs = obs + 1, final obs = 100 s + 50 + t.
  ReplayBuffer buffer(scalar_obs_options(/*num_envs=*/3, /*n_step=*/3, /*gamma=*/0.5));
  const std::vector<float> r{1, 2, 4, 8, 16};
  for (int t = 0; t < 5; ++t) {
    const float ft = static_cast<float>(t);
    const bool end1 = t == 1, end2 = t == 3;
    add_step(buffer, {ft, 100 + ft, 200 + ft}, {r[t], r[t], r[t]},
             {ft + 1, end1 ? 151 : 101 + ft, end2 ? 253 : 201 + ft}, {0, end1, 0}, {0, 0, end2});
  }
  const auto rows = stored_by_obs(buffer);
  ASSERT_EQ(buffer.size(), 10);
  auto expect = [&](float obs, float reward, float discount, float next_obs) {
    ASSERT_EQ(rows.count(obs), 1u) << "obs " << obs << " not stored";
    const Stored& s = rows.at(obs);
    EXPECT_FLOAT_EQ(s.reward, reward) << "obs " << obs;
    EXPECT_FLOAT_EQ(s.discount, discount) << "obs " << obs;
    EXPECT_FLOAT_EQ(s.next_obs, next_obs) << "obs " << obs;
  };
  // stream 0: full 3-step returns, obs 3 and 4 still pending
  expect(0, 1 + 0.5f * 2 + 0.25f * 4, 0.125f, 3);
  expect(1, 2 + 0.5f * 4 + 0.25f * 8, 0.125f, 4);
  expect(2, 4 + 0.5f * 8 + 0.25f * 16, 0.125f, 5);
  EXPECT_EQ(rows.count(3), 0u);
  // stream 1: terminated with two pending steps -> partial sums, no bootstrap
  expect(100, 1 + 0.5f * 2, 0, 151);
  expect(101, 2, 0, 151);
  expect(102, 4 + 0.5f * 8 + 0.25f * 16, 0.125f, 105);  // the next episode
  // stream 2: truncated -> partial sums bootstrapped from the final observation with gamma^k
  expect(200, 1 + 0.5f * 2 + 0.25f * 4, 0.125f, 203);
  expect(201, 2 + 0.5f * 4 + 0.25f * 8, 0.125f, 253);
  expect(202, 4 + 0.5f * 8, 0.25f, 253);
  expect(203, 8, 0.5f, 253);
  EXPECT_EQ(rows.count(204), 0u);
}

TEST(ReplayBuffer, OneStepStoresPlainTransitionsAndTerminationWinsOverTruncation) {
  ReplayBuffer buffer(scalar_obs_options(/*num_envs=*/4, /*n_step=*/1, /*gamma=*/0.9));
  add_step(buffer, {0, 1, 2, 3}, {1, 2, 3, 4}, {10, 11, 12, 13}, {0, 1, 0, 1}, {0, 0, 1, 1});
  ASSERT_EQ(buffer.size(), 4);
  const auto rows = stored_by_obs(buffer);
  const std::vector<float> discounts{0.9f, 0, 0.9f, 0};
  for (int i = 0; i < 4; ++i) {
    const Stored& s = rows.at(static_cast<float>(i));
    EXPECT_FLOAT_EQ(s.reward, static_cast<float>(i + 1));
    EXPECT_FLOAT_EQ(s.discount, discounts[static_cast<size_t>(i)]) << "stream " << i;
    EXPECT_FLOAT_EQ(s.next_obs, static_cast<float>(10 + i));
    EXPECT_EQ(s.action, i);
  }
}

TEST(ReplayBuffer, RingOverwritesOldestTransitionsAfterCapacity) {
  auto options = scalar_obs_options(1, 1, 0.99);
  options.capacity = 4;
  ReplayBuffer buffer(options);
  add_plain(buffer, 6);
  EXPECT_EQ(buffer.size(), 4);
  const auto batch = buffer.gather(at::arange(4, at::kLong));
  EXPECT_TRUE(at::equal(batch.obs.view({-1}), floats({4, 5, 2, 3})));
  EXPECT_TRUE(at::equal(batch.next_obs.view({-1}), floats({5, 6, 3, 4})));
}

TEST(ReplayBuffer, CompactStorageGivesBackTheSameBinaryObservations) {
  ReplayOptions options;
  options.capacity = 8;
  options.num_envs = 2;
  options.obs_shape = {3, 2, 2};
  options.compact_obs = true;
  ReplayBuffer buffer(options);
  auto gen = make_gen(3);
  const auto obs = at::rand({2, 3, 2, 2}, gen) > 0.5;
  const auto next_obs = at::rand({2, 3, 2, 2}, gen) > 0.5;
  // bool input, and float input holding 0/1 (what VectorEnv produces)
  buffer.add(obs, at::zeros({2}, at::kLong), floats({0, 0}), next_obs.to(at::kFloat), flags({0, 0}), flags({0, 0}));
  const auto batch = buffer.gather(at::arange(2, at::kLong));
  EXPECT_EQ(batch.obs.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(batch.obs, obs.to(at::kFloat)));
  EXPECT_TRUE(at::equal(batch.next_obs, next_obs.to(at::kFloat)));
  // values a uint8 cannot hold are refused rather than silently changed
  EXPECT_THROW(buffer.add(obs.to(at::kFloat) * 0.5, at::zeros({2}, at::kLong), floats({0, 0}), next_obs, flags({0, 0}),
                          flags({0, 0})),
               Error);
}

TEST(ReplayBuffer, StoresContinuousActions) {
  ReplayOptions options = scalar_obs_options(2, 1, 0.99);
  options.action_dim = 2;
  ReplayBuffer buffer(options);
  const auto actions = floats({0.5f, -1, 0.25f, 2}).view({2, 2});
  buffer.add(floats({0, 1}).view({2, 1}), actions, floats({0, 0}), floats({1, 2}).view({2, 1}), flags({0, 0}),
             flags({0, 0}));
  EXPECT_TRUE(at::equal(buffer.gather(at::arange(2, at::kLong)).actions, actions));
}

TEST(ReplayBuffer, RejectsInputsWithWrongShapesOrTypes) {
  ReplayBuffer buffer(scalar_obs_options(2, 1, 0.99));
  const auto obs = at::zeros({2, 1});
  const auto actions = at::zeros({2}, at::kLong);
  const auto rewards = at::zeros({2});
  const auto no = flags({0, 0});
  EXPECT_THROW(buffer.add(at::zeros({3, 1}), actions, rewards, obs, no, no), Error);
  EXPECT_THROW(buffer.add(obs, actions, rewards, at::zeros({2, 2}), no, no), Error);
  EXPECT_THROW(buffer.add(obs, actions.to(at::kFloat), rewards, obs, no, no), Error);
  EXPECT_THROW(buffer.add(obs, actions, rewards, obs, at::zeros({2}), no), Error);
  EXPECT_EQ(buffer.size(), 0);
  try {
    buffer.add(at::zeros({3, 1}), actions, rewards, obs, no, no);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 1]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[3, 1]"), std::string::npos) << e.what();
  }
  auto gen = make_gen(0);
  EXPECT_THROW(buffer.sample(4, gen), Error);  // empty
  ReplayOptions bad = scalar_obs_options(1, 0, 0.99);
  EXPECT_THROW(ReplayBuffer{bad}, Error);
}

TEST(ReplayBuffer, UniformSamplingHitsEverySlotAndIsReproducible) {
  auto options = scalar_obs_options(1, 1, 0.99);
  options.capacity = 16;
  ReplayBuffer buffer(options);
  add_plain(buffer, 16);
  auto gen = make_gen(7);
  std::vector<int> hits(16, 0);
  for (int k = 0; k < 20; ++k) {
    const auto batch = buffer.sample(64, gen);
    EXPECT_TRUE(at::equal(batch.weights, at::ones({64})));
    EXPECT_TRUE(at::equal(batch.obs.view({-1}), batch.indices.to(at::kFloat)));
    for (int64_t i = 0; i < 64; ++i) hits[static_cast<size_t>(batch.indices[i].item<int64_t>())] += 1;
  }
  for (int slot = 0; slot < 16; ++slot) EXPECT_GT(hits[static_cast<size_t>(slot)], 0) << "slot " << slot;

  auto a = make_gen(11), b = make_gen(11), c = make_gen(12);
  const auto first = buffer.sample(32, a).indices;
  EXPECT_TRUE(at::equal(first, buffer.sample(32, b).indices));
  EXPECT_FALSE(at::equal(first, buffer.sample(32, c).indices));
}

// Sampling frequencies of each slot over `draws` samples in batches of 100.
std::vector<double> frequencies(ReplayBuffer& buffer, int64_t draws, uint64_t seed) {
  auto gen = make_gen(seed);
  std::vector<double> freq(static_cast<size_t>(buffer.size()), 0.0);
  for (int64_t k = 0; k < draws / 100; ++k) {
    const auto indices = buffer.sample(100, gen).indices;
    for (int64_t i = 0; i < 100; ++i) freq[static_cast<size_t>(indices[i].item<int64_t>())] += 1.0 / draws;
  }
  return freq;
}

ReplayOptions prioritized_options(int64_t capacity, double alpha) {
  auto options = scalar_obs_options(1, 1, 0.99);
  options.capacity = capacity;
  options.prioritized = true;
  options.alpha = alpha;
  options.priority_eps = 0.0;
  return options;
}

TEST(ReplayBuffer, PrioritizedSamplingFollowsPriorityToTheAlpha) {
  // alpha = 1: priorities 1, 2, 3, 4; alpha = 0.5: priorities 1, 4, 9, 16 -- both give masses 1..4.
  for (const auto& [alpha, priorities] :
       {std::pair{1.0, std::vector<float>{1, 2, 3, 4}}, std::pair{0.5, std::vector<float>{1, 4, 9, 16}}}) {
    ReplayBuffer buffer(prioritized_options(4, alpha));
    add_plain(buffer, 4);
    buffer.update_priorities(at::arange(4, at::kLong), floats(priorities));
    const auto freq = frequencies(buffer, 20000, 1);
    for (int i = 0; i < 4; ++i) {
      EXPECT_NEAR(freq[static_cast<size_t>(i)], 0.1 * (i + 1), 0.01) << "alpha " << alpha << " slot " << i;
    }
  }
}

TEST(ReplayBuffer, ImportanceWeightsMatchTheFormulaNormalizedByTheBatchMax) {
  ReplayBuffer buffer(prioritized_options(4, 1.0));
  add_plain(buffer, 4);
  buffer.update_priorities(at::arange(4, at::kLong), floats({1, 2, 3, 4}));
  const double beta = 0.5;
  auto gen = make_gen(5);
  for (int k = 0; k < 10; ++k) {
    const auto batch = buffer.sample(8, gen, beta);
    std::vector<double> w;
    double max_w = 0;
    for (int64_t i = 0; i < 8; ++i) {
      const double p = 0.1 * static_cast<double>(batch.indices[i].item<int64_t>() + 1);  // P(i)
      w.push_back(std::pow(4 * p, -beta));
      max_w = std::max(max_w, w.back());
    }
    for (int64_t i = 0; i < 8; ++i) {
      EXPECT_NEAR(batch.weights[i].item<float>(), w[static_cast<size_t>(i)] / max_w, 1e-6);
    }
  }
}

TEST(ReplayBuffer, UpdatedPrioritiesChangeSamplingAndNewTransitionsGetTheMax) {
  ReplayBuffer buffer(prioritized_options(4, 1.0));
  add_plain(buffer, 3);
  for (double f : frequencies(buffer, 3000, 2)) EXPECT_NEAR(f, 1.0 / 3, 0.02);  // all start at 1

  buffer.update_priorities(at::arange(3, at::kLong), floats({1, 1, 10}));
  add_plain(buffer, 1, /*first=*/3);  // gets the max priority so far, 10
  const auto freq = frequencies(buffer, 20000, 3);
  const std::vector<double> expected{1.0 / 22, 1.0 / 22, 10.0 / 22, 10.0 / 22};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(freq[static_cast<size_t>(i)], expected[static_cast<size_t>(i)], 0.01);

  EXPECT_THROW(buffer.update_priorities(at::tensor({4}, at::kLong), floats({1})), Error);  // slot not stored
  EXPECT_THROW(buffer.update_priorities(at::tensor({0}, at::kLong), floats({-1})), Error);
}

TEST(ReplayBuffer, SaveLoadRoundTripResumesIdentically) {
  ReplayOptions options;
  options.capacity = 16;
  options.num_envs = 2;
  options.obs_shape = {2, 2};
  options.n_step = 3;
  options.gamma = 0.9;
  options.prioritized = true;
  options.compact_obs = true;
  ReplayBuffer original(options);
  auto data_gen = make_gen(9);
  auto step = [&](ReplayBuffer& a, ReplayBuffer* b) {
    const auto obs = (at::rand({2, 2, 2}, data_gen) > 0.5).to(at::kFloat);
    const auto next = (at::rand({2, 2, 2}, data_gen) > 0.5).to(at::kFloat);
    const auto actions = at::randint(4, {2}, data_gen, at::kLong);
    const auto rewards = at::rand({2}, data_gen);
    const auto ends = at::rand({2}, data_gen) < 0.2;
    const auto cut = at::rand({2}, data_gen) < 0.1;
    a.add(obs, actions, rewards, next, ends, cut);
    if (b) b->add(obs, actions, rewards, next, ends, cut);
  };
  for (int t = 0; t < 11; ++t) step(original, nullptr);
  auto gen = make_gen(4);
  const auto sampled = original.sample(6, gen);
  original.update_priorities(sampled.indices, at::rand({6}, gen) * 3);

  ByteWriter out;
  original.save(out);
  ReplayBuffer restored(options);
  ByteReader in(out.bytes(), "test snapshot");
  restored.load(in);
  in.expect_done();
  ASSERT_EQ(restored.size(), original.size());

  // identical continuation: same adds (pending windows included) and same draws
  for (int t = 0; t < 9; ++t) step(original, &restored);
  auto gen_a = make_gen(21), gen_b = make_gen(21);
  const auto a = original.sample(32, gen_a, 0.4);
  const auto b = restored.sample(32, gen_b, 0.4);
  EXPECT_TRUE(at::equal(a.indices, b.indices));
  EXPECT_TRUE(at::equal(a.weights, b.weights));
  EXPECT_TRUE(at::equal(a.obs, b.obs));
  EXPECT_TRUE(at::equal(a.next_obs, b.next_obs));
  EXPECT_TRUE(at::equal(a.actions, b.actions));
  EXPECT_TRUE(at::equal(a.rewards, b.rewards));
  EXPECT_TRUE(at::equal(a.discounts, b.discounts));
  const auto all = at::arange(original.size(), at::kLong);
  EXPECT_TRUE(at::equal(original.gather(all).rewards, restored.gather(all).rewards));
}

TEST(ReplayBuffer, LoadRejectsSnapshotsOfOtherOptionsOrTruncatedOnes) {
  auto options = scalar_obs_options(1, 1, 0.99);
  ReplayBuffer original(options);
  add_plain(original, 5);
  ByteWriter out;
  original.save(out);

  options.capacity = 32;
  ReplayBuffer other(options);
  ByteReader in(out.bytes(), "test snapshot");
  try {
    other.load(in);
    ADD_FAILURE() << "load accepted a snapshot of another capacity";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("capacity"), std::string::npos) << e.what();
  }

  ReplayBuffer same(scalar_obs_options(1, 1, 0.99));
  const std::string cut = out.bytes().substr(0, out.bytes().size() - 9);
  ByteReader truncated(cut, "test snapshot");
  EXPECT_THROW(same.load(truncated), Error);
  EXPECT_EQ(same.size(), 0);  // a failed load leaves the buffer as it was
}

// ---- C51 projection: support -2, -1, 0, 1, 2 (dz = 1) unless noted ----

at::Tensor project(std::vector<float> probs, float reward, float discount) {
  return project_distribution(floats(probs).view({1, -1}), floats({reward}), floats({discount}), -2, 2).view({-1});
}

void expect_probs(const at::Tensor& found, std::vector<float> expected) {
  ASSERT_EQ(found.numel(), static_cast<int64_t>(expected.size()));
  for (int64_t j = 0; j < found.numel(); ++j) {
    EXPECT_NEAR(found[j].item<float>(), expected[static_cast<size_t>(j)], 1e-6) << "atom " << j;
  }
}

TEST(ProjectDistribution, RewardShiftBetweenAtomsSplitsMassLinearly) {
  expect_probs(project({0, 0, 1, 0, 0}, 0.5f, 1), {0, 0, 0.5f, 0.5f, 0});
  // Tz = 0.25 + 0.5 z = -0.75, -0.25, 0.25, 0.75, 1.25 -> b = 1.25, 1.75, 2.25, 2.75, 3.25
  expect_probs(project({0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, 0.25f, 0.5f), {0, 0.2f, 0.4f, 0.35f, 0.05f});
}

TEST(ProjectDistribution, TargetsOnAnAtomKeepAllTheirMass) {
  expect_probs(project({0.1f, 0.2f, 0.3f, 0.4f, 0}, 1, 1), {0, 0.1f, 0.2f, 0.3f, 0.4f});
}

TEST(ProjectDistribution, ClipsAtTheEndsOfTheSupport) {
  expect_probs(project({0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, 10, 1), {0, 0, 0, 0, 1});
  expect_probs(project({0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, -10, 1), {1, 0, 0, 0, 0});
  // shift by 1.5: -0.5, 0.5, 1.5, then 2.5 and 3.5 clipped onto 2
  expect_probs(project({0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, 1.5f, 1), {0, 0.1f, 0.2f, 0.2f, 0.5f});
}

TEST(ProjectDistribution, ZeroDiscountCollapsesOntoTheRewardsAtoms) {
  expect_probs(project({0.5f, 0, 0, 0, 0.5f}, 0.3f, 0), {0, 0, 0.7f, 0.3f, 0});
  expect_probs(project({0, 0.25f, 0.25f, 0.5f, 0}, -1, 0), {0, 1, 0, 0, 0});
}

TEST(ProjectDistribution, BatchedRowsSumToOne) {
  auto gen = make_gen(13);
  const auto probs = at::softmax(at::randn({64, 51}, gen), 1);
  const auto rewards = at::randn({64}, gen) * 5;
  const auto discounts = at::rand({64}, gen);
  const auto target = project_distribution(probs, rewards, discounts, -10, 10);
  ASSERT_EQ(target.sizes(), probs.sizes());
  EXPECT_TRUE(at::allclose(target.sum(1), at::ones({64}), 1e-5, 1e-5));
  EXPECT_GE(target.min().item<float>(), 0.0f);
  // each row agrees with the single-row projection
  const auto row =
      project_distribution(probs.slice(0, 7, 8), rewards.slice(0, 7, 8), discounts.slice(0, 7, 8), -10, 10);
  EXPECT_TRUE(at::allclose(target.slice(0, 7, 8), row));
  EXPECT_THROW(project_distribution(probs, rewards.slice(0, 0, 3), discounts, -10, 10), Error);
  EXPECT_THROW(project_distribution(probs, rewards, discounts, 10, -10), Error);
}

}  // namespace
}  // namespace rlnas::rl
