// Experiment data as a file: `rlnas runs export` writes experiments of a store to one versioned
// JSON document (gzip-compressed when the file name ends in .gz) and `rlnas runs import` loads such
// a document into a store, its finished trials becoming cache hits there. Results committed to the
// repository (bench/results/) are such files; the scripts that print docs/results/ read them.
//
// The document (format "rlnas-runs-export", version kExportFormatVersion; docs/store.md):
//   {"format", "version", "rlnas_version", "exported_at", "store_schema_version",
//    "max_curve_points", "max_snapshots_per_kind",
//    "experiments": [{"experiment": <runs show --json's experiment>, "summary": <the search
//                     summary, or null>, "trials": [<trial> + {"curve": [{"step", "metrics"}],
//                     "curve_points_stored"}], "snapshots": [{"step", "kind", "created_at",
//                     "payload"}], "snapshots_stored"}]}
// Curves are thinned to at most max_curve_points points (evenly by index, first and last kept);
// snapshots to at most max_snapshots_per_kind per kind, except `strategy_state` (a search's resume
// state, superseded by each newer one), of which only the last is kept. A done trial that reused
// another's training (a cache hit of the search that planned it: no key of its own, the same run
// folder) is exported with that training's cache key, so that an experiment continued from an
// imported one exports whole. No checkpoints or run folders are exported: an imported search
// shows, reports and feeds later searches' cache, but cannot be resumed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace rlnas::store {

class Store;

inline constexpr const char* kExportFormat = "rlnas-runs-export";
inline constexpr int kExportFormatVersion = 1;

struct ExportOptions {
  size_t max_curve_points = 200;
  size_t max_snapshots_per_kind = 200;
};

// One experiment as the document's "experiments" entry (its "summary" is null: the caller, which
// knows about searches, fills it). Throws rlnas::Error when the store has no such experiment.
nlohmann::ordered_json export_experiment(const Store& store, int64_t experiment_id, const ExportOptions& options = {});

// The whole document around entries made by export_experiment.
nlohmann::ordered_json export_document(const Store& store, std::vector<nlohmann::ordered_json> experiments,
                                       const ExportOptions& options = {});

// Indices of at most `limit` of `n` items, evenly spread, first and last included (all when n <= limit).
std::vector<size_t> thinned_indices(size_t n, size_t limit);

// What import_document did with each experiment of the document.
struct ImportedExperiment {
  int64_t original_id = 0;  // its id in the exporting store
  int64_t id = 0;           // its id in this store (0 when skipped)
  // "imported"; "replaced" (an earlier import of the same experiment, replaced by this one);
  // "skipped" (this store holds the original experiment, or the same import already).
  std::string action;
  std::string note;           // why, for "skipped" and "replaced"
  size_t trials = 0;          // trials written
  size_t done = 0;            // of which done (cache hits for later work)
  size_t keys_elsewhere = 0;  // done trials whose cache key another trial of this store already held
};

// Loads a document into `store`, each experiment in one transaction: records keep their
// timestamps, statuses and results; ids are new (the summary's experiment id and snapshots'
// trial ids are mapped). A done trial keeps its cache key unless another trial of this store holds
// it (that one is kept). A trial that was not done is imported as failed, without cache key, its
// reason saying what it was; an experiment that was running as stopped. An experiment is the same
// as one already in the store when kind, name, start time and configuration agree: if that one
// was imported before (it holds an "import" snapshot) it is replaced (a later export of a search
// that was still running), else the store holds the original and the experiment is skipped.
// `source` (e.g. the file name) is recorded in the "import" snapshot. Throws rlnas::Error naming
// `source` and the JSON path for a document that is not an export or of a newer version; the store
// is then unchanged.
std::vector<ImportedExperiment> import_document(Store& store, const nlohmann::ordered_json& document,
                                                const std::string& source);
// The document's experiments, after the checks import_document makes of the document itself (an
// export, of a version this rlnas reads, with an "experiments" array); errors name `source`.
const nlohmann::ordered_json& export_experiments(const nlohmann::ordered_json& document, const std::string& source);

// Files: text as is, or gzip when `path` ends in ".gz" (written atomically, io::write_file_atomic).
// read_export_file inflates gzip by its magic bytes whatever the name, and parses the JSON; errors
// name the path.
void write_export_file(const std::string& path, const nlohmann::ordered_json& document);
nlohmann::ordered_json read_export_file(const std::string& path);
// An export's size limit, as read and as inflated (a gzip bomb is refused once past it).
inline constexpr size_t kMaxExportBytes = size_t{256} << 20;
std::string gzip_decompress(std::string_view data, const std::string& what, size_t max_bytes = kMaxExportBytes);

}  // namespace rlnas::store
