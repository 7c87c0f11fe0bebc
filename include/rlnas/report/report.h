// Reports: an experiment of the store as one self-contained HTML page with plots.
//
// collect() reads everything a report shows from the store (and, for trials still running, from
// their run directories' metrics.jsonl / alpha.jsonl) into one JSON document; render_html() turns
// documents into the page: Chart.js (Debian's libjs-chart.js) and the page's own script inlined,
// architecture diagrams drawn by Graphviz's `dot` as inline SVG. docs/report.md lists what is
// shown and where each figure comes from.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rlnas::store {
class Store;
}

namespace rlnas::report {

// One experiment's report data (the page's "experiments" entries). Throws rlnas::Error when the
// store has no such experiment.
nlohmann::ordered_json collect(const store::Store& store, int64_t experiment_id);

struct PageOptions {
  std::string chartjs;            // Chart.js file to inline; empty: find_chartjs("")
  std::string dot = "dot";        // Graphviz; when it cannot run, diagrams fall back to text
  double refresh_seconds = 0;     // > 0: the page reloads itself (rlnas report --watch)
  std::string comparison;         // several searches: rlnas compare's text, shown in its own section
};

// The Chart.js build to inline: `hint` if given, else $RLNAS_CHARTJS, else Debian's
// /usr/share/javascript/chart.js/chart.min.js. Throws rlnas::Error naming what was looked for.
std::string find_chartjs(const std::string& hint);

// The page for `experiments` (collect() results), side by side when there are several.
std::string render_html(const std::vector<nlohmann::ordered_json>& experiments, const PageOptions& options);

// Graphviz DOT text for an architecture's diagram: a cell DAG per cell type (space graph()) or a
// strip of layers (describe() lines). Empty when there is nothing to draw.
std::string architecture_dot(const nlohmann::json& diagram);

// The points on the Pareto front of (cost, value): lowest cost, highest value. Returns their
// indices in increasing cost. Points with a missing value are skipped (NaN).
std::vector<size_t> pareto_front(const std::vector<double>& cost, const std::vector<double>& value);

}  // namespace rlnas::report
