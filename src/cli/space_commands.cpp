// rlnas space list | show | sample | cost
#include <iostream>
#include <sstream>

#include "commands.h"
#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"
#include "rlnas/space/cost.h"
#include "rlnas/space/space.h"

namespace rlnas::cli {
namespace {

constexpr int64_t kMaxInputElements = int64_t{1} << 20;

std::vector<int64_t> parse_input_shape(const std::string& text) {
  // "4x10x10" (C x H x W) or "4" (a vector)
  std::vector<int64_t> shape;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, 'x')) {
    try {
      size_t used = 0;
      const long long v = std::stoll(part, &used);
      if (used != part.size() || v < 1) throw std::invalid_argument(part);
      shape.push_back(v);
    } catch (const std::exception&) {
      throw UsageError("--input: expected sizes >= 1 joined by 'x' (e.g. 4x10x10 or 4), found '" + excerpt(text, 80) +
                       "'");
    }
  }
  if (shape.empty()) throw UsageError("--input: expected e.g. 4x10x10, found nothing");
  if (shape.size() != 1 && shape.size() != 3) {
    throw UsageError("--input: expected C x H x W (an image) or N (a vector), found " + std::to_string(shape.size()) +
                     " sizes in '" + excerpt(text, 80) + "'");
  }
  // Costs are measured by running the network once (and timed over a batch): an input of millions
  // of values takes minutes and gigabytes of memory for nothing the cost model needs.
  int64_t elements = 1;
  for (const auto v : shape) {
    if (v > kMaxInputElements || (elements *= v) > kMaxInputElements) {
      throw UsageError("--input: '" + excerpt(text, 80) + "' has more than " + std::to_string(kMaxInputElements) +
                       " values; rlnas measures costs on inputs up to that size (e.g. 4x512x512)");
    }
  }
  return shape;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

std::string options_text(const space::Decision& d) {
  std::string s;
  const size_t shown = std::min<size_t>(d.options.size(), 6);
  for (size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + d.options[i].dump();
  if (d.options.size() > shown) s += ", ... (" + std::to_string(d.options.size()) + " options)";
  return s;
}

}  // namespace

void add_space_commands(CLI::App& app, Context&) {
  auto* group = app.add_subcommand("space", "search spaces: list, show, sample architectures, cost of a network");
  group->require_subcommand(1);
  {
    auto* cmd = group->add_subcommand("list", "list the search spaces and the named reference architectures");
    cmd->callback([] {
      std::cout << "search spaces (rlnas space show NAME):\n";
      for (const auto& name : space::space_names()) {
        const auto& s = space::find_space(name);
        std::printf("  %-18s %24s architectures  input %s\n", name.c_str(), space::format_count(s.size()).c_str(),
                    shape_text(s.default_input_shape()).c_str());
      }
      std::cout << "\nnamed architectures (--named NAME; rlnas space cost --named NAME describes one):\n";
      for (const auto& n : space::named_architectures()) {
        std::string d = n.description;
        if (d.size() > 72) {
          d.resize(69);
          d += "...";
        }
        std::printf("  %-26s %-18s %s\n", n.name.c_str(), n.arch.space.c_str(), d.c_str());
      }
    });
  }
  {
    auto* cmd = group->add_subcommand("show", "a space's description, decisions and options, and exact size");
    auto name = std::make_shared<std::string>();
    cmd->add_option("NAME", *name, "search space (rlnas space list)")->required();
    cmd->callback([name] {
      const auto& s = space::find_space(*name);
      std::cout << s.name() << " (version " << s.version() << ")\n" << s.description() << "\n\n";
      std::cout << "input:     " << shape_text(s.default_input_shape()) << " (networks adapt to other shapes)\n";
      std::cout << "size:      " << space::format_count(s.size()) << " architectures\n";
      const auto ds = s.decisions();
      std::cout << "decisions: " << ds.size() << (ds.empty() ? " (a single fixed architecture)" : "") << "\n";
      for (const auto& d : ds) {
        std::cout << "  " << d.name << ": " << d.doc << "\n      options: " << options_text(d) << "\n";
      }
    });
  }
  {
    auto* cmd = group->add_subcommand("sample", "print uniformly sampled architectures, one JSON per line");
    auto name = std::make_shared<std::string>();
    auto n = std::make_shared<int64_t>(1);
    auto seed = std::make_shared<int64_t>(1);
    cmd->add_option("NAME", *name, "search space")->required();
    cmd->add_option("--n", *n, "how many")->capture_default_str()->check(whole_number(1, 1000000));
    cmd->add_option("--seed", *seed, "seed")->capture_default_str()->check(whole_number(0, 4294967295));
    cmd->callback([name, n, seed] {
      const auto& s = space::find_space(*name);
      Mt19937 rng(static_cast<uint32_t>(*seed));
      for (int64_t i = 0; i < *n; ++i) std::cout << s.sample(rng).canonical_json() << "\n";
    });
  }
  {
    auto* cmd = group->add_subcommand("cost", "parameters, FLOPs and latency of an architecture's network");
    struct Args {
      std::string name, arch, named, input;
      int64_t batch = 32;
      bool json = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("NAME", a->name, "search space (optional with --named)");
    cmd->add_option("--arch", a->arch, "architecture: JSON text or @FILE");
    cmd->add_option("--named", a->named, "named reference architecture");
    cmd->add_option("--input", a->input, "input shape CxHxW or N (default: the space's)");
    cmd->add_option("--batch", a->batch, "batch size of the second latency figure")
        ->capture_default_str()
        ->check(whole_number(1, 65536));
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->callback([a] {
      if (a->arch.empty() == a->named.empty()) throw Error("space cost: give exactly one of --arch and --named");
      const space::Architecture arch =
          a->named.empty() ? space::read_architecture_arg(a->arch) : space::find_named_architecture(a->named).arch;
      if (!a->name.empty() && a->name != arch.space) {
        throw Error("space cost: the architecture belongs to space '" + arch.space + "', not '" + a->name + "'");
      }
      const auto& s = space::find_space(arch.space);
      const auto input = a->input.empty() ? s.default_input_shape() : parse_input_shape(a->input);
      auto net = s.build(arch, input);
      const auto forward = [&](const torch::Tensor& x) { return net->forward(x); };
      const auto cost = space::measure_cost(*net, forward, input);
      const auto latency = space::measure_latency(forward, input, a->batch);
      if (a->json) {
        nlohmann::ordered_json j = {{"space", arch.space},
                                    {"id", arch.id()},
                                    {"architecture", arch.to_json()},
                                    {"input", input},
                                    {"params", cost.params},
                                    {"macs", cost.macs},
                                    {"flops", cost.flops()},
                                    {"features", net->feature_dim()},
                                    {"latency_ms_batch1", latency.batch1_ms},
                                    {"latency_ms_batch", latency.batch_ms},
                                    {"latency_batch", latency.batch}};
        std::cout << j.dump() << "\n";
        return;
      }
      std::cout << arch.space << " " << arch.short_id() << " on input " << shape_text(input) << "\n";
      if (!a->named.empty())
        std::cout << a->named << ": " << space::find_named_architecture(a->named).description << "\n";
      for (const auto& line : s.describe(arch)) std::cout << "  " << line << "\n";
      std::printf("params     %s\nFLOPs      %s (2 x %s multiply-accumulates)\nfeatures   %lld\n",
                  space::format_count(static_cast<uint64_t>(cost.params)).c_str(),
                  space::format_count(static_cast<uint64_t>(cost.flops())).c_str(),
                  space::format_count(static_cast<uint64_t>(cost.macs)).c_str(),
                  static_cast<long long>(net->feature_dim()));
      std::printf("latency    %.3f ms at batch 1, %.3f ms at batch %lld (median, %d thread(s))\n", latency.batch1_ms,
                  latency.batch_ms, static_cast<long long>(latency.batch), at::get_num_threads());
    });
  }
}

}  // namespace rlnas::cli
