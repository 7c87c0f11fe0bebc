// The supervised workload (workload.h): image classification on a dataset (src/vision). Trials
// are selected on validation accuracy and reported on test accuracy, both in percent.
#include <filesystem>

#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/search/strategy.h"
#include "rlnas/search/trial.h"
#include "rlnas/search/workload.h"
#include "rlnas/vision/classifier.h"

namespace rlnas::search {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

class SupervisedWorkload final : public Workload {
 public:
  explicit SupervisedWorkload(const rl::TrainConfig& config)
      : dataset_(config.supervised.dataset),
        shape_(vision::input_shape(config)),
        classes_(vision::num_classes(config)),
        per_epoch_((vision::train_images(config) + config.supervised.batch_size - 1) / config.supervised.batch_size) {}
  const rl::WorkloadEntry& entry() const override { return rl::find_workload("supervised"); }
  std::string name() const override { return dataset_; }
  std::vector<int64_t> input_shape() const override { return shape_; }
  std::vector<std::string> output_heads() const override { return {"classes: " + std::to_string(classes_)}; }
  // LeNet-5 and the small ResNet (ResNet-20 without batch normalisation, as rlnas's RL nets).
  std::vector<std::string> baselines() const override { return {"net:lenet", "net:resnet"}; }
  bool trains_backbones() const override { return true; }
  bool trains_supernets() const override { return true; }
  int64_t iterations(int64_t budget) const override { return budget * per_epoch_; }
  bool run_trial(const rl::TrainConfig& config, const std::string& run_dir,
                 const std::atomic<bool>* stop) const override {
    const fs::path dir(run_dir);
    rl::TrainOptions options;
    options.run_dir = run_dir;
    options.resume = true;  // the search wrote config.json: continue from the checkpoint, or start
    options.stop = stop;
    options.progress_seconds = 10;
    fs::remove(dir / kResultFile);  // a result of an earlier, interrupted session
    const auto chosen = trial_sampler(run_dir, config);  // ENAS's controller: its supernet trial
    if (chosen) options.path_sampler = &chosen->path_sampler();
    const auto r = vision::train_classifier(config, options);
    if (chosen && !r.interrupted) chosen->finish(run_dir);
    ordered_json out = {{"interrupted", r.interrupted}, {"steps", r.epochs}};
    ordered_json metrics = {{"validation_accuracy", 100 * r.validation.accuracy},
                            {"validation_loss", r.validation.loss},
                            {"validation_images", r.validation.images},
                            {"train_accuracy", 100 * r.train.accuracy},
                            {"train_loss", r.train.loss},
                            {"minibatches", r.batches}};
    if (!r.interrupted && r.test.images > 0) {  // a supernet has no test figure
      metrics["test_accuracy"] = 100 * r.test.accuracy;
      metrics["test_loss"] = r.test.loss;
      metrics["test_images"] = r.test.images;
    }
    out["metrics"] = metrics;
    io::write_file_atomic((dir / kResultFile).string(), out.dump(2) + "\n", io::Target::own);
    return r.interrupted;
  }

 private:
  std::string dataset_;
  std::vector<int64_t> shape_;
  int64_t classes_;
  int64_t per_epoch_;  // minibatches
};

}  // namespace

std::unique_ptr<Workload> make_supervised_workload(const rl::TrainConfig& config) {
  return std::make_unique<SupervisedWorkload>(config);
}

}  // namespace rlnas::search
