// render_html(): the report page. One file that opens offline: Chart.js, the page's script
// (report.js) and style (report.css), the data and the diagrams' SVG are all inlined.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rlnas/core/error.h"
#include "rlnas/report/report.h"

namespace rlnas::report {

namespace detail {
extern const char* const kReportJs;   // report.js, embedded at build time (assets.cpp.in)
extern const char* const kReportCss;  // report.css
}  // namespace detail

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kDebianChartJs = "/usr/share/javascript/chart.js/chart.min.js";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// DOT string literal.
std::string q(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON that goes inside <script>: no '<' at all (it only occurs inside strings, as \u003c), so no
// "</script" nor "<!--" can change how the HTML parser reads the element.
std::string json_in_script(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

// Code that goes inside <script>: nothing in it may close the element.
std::string script_safe(std::string text) {
  for (size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) text.replace(at, 2, "<\\/");
  return text;
}

// SVG from Graphviz, or empty when `dot` cannot run (the page then shows the text description).
std::string dot_to_svg(const std::string& dot_text, const std::string& dot) {
  if (dot_text.empty() || dot.empty()) return "";
  const auto dir = fs::temp_directory_path();
  const std::string stem = "rlnas-report-" + std::to_string(::getpid()) + "-" +
                           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  const auto in = dir / (stem + ".dot"), out = dir / (stem + ".svg");
  {
    std::ofstream f(in);
    f << dot_text;
  }
  const std::string cmd = "'" + dot + "' -Tsvg '" + in.string() + "' -o '" + out.string() + "' 2>/dev/null";
  const int rc = std::system(cmd.c_str());
  std::string svg;
  if (rc == 0 && fs::exists(out)) svg = read_file(out.string());
  std::error_code ec;
  fs::remove(in, ec);
  fs::remove(out, ec);
  const auto begin = svg.find("<svg");
  return begin == std::string::npos ? "" : svg.substr(begin);
}

}  // namespace

std::string find_chartjs(const std::string& hint) {
  std::string path = hint;
  if (path.empty()) {
    const char* env = std::getenv("RLNAS_CHARTJS");
    path = env && *env ? env : kDebianChartJs;
  }
  if (!fs::is_regular_file(path)) {
    throw Error("report: the plots are drawn with Chart.js, expected at " + path +
                ", which is missing; install Debian's libjs-chart.js (bash scripts/setup does) or point "
                "RLNAS_CHARTJS at a chart.min.js");
  }
  return path;
}

std::string architecture_dot(const json& view) {
  if (!view.is_object()) return "";
  const auto& graph = view.contains("graph") ? view["graph"] : json();
  std::ostringstream d;
  d << "digraph arch {\n  graph [fontname=\"Helvetica\", fontsize=11, nodesep=0.25, ranksep=0.35];\n"
       "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", "
       "color=\"#5b7db1\"];\n  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n";
  if (graph.is_object() && graph.contains("cells")) {
    // RL-DARTS Figures 5 and 8: one DAG per cell type, ops on the edges.
    d << "  rankdir=LR;\n";
    for (const auto& cell : graph["cells"]) {
      const std::string c = cell.value("name", std::string("cell"));
      d << "  subgraph " << q("cluster_" + c) << " {\n    label=" << q(c + " cell") << "; color=\"#bbbbbb\";\n";
      for (const auto& n : cell["nodes"]) {
        const std::string name = n.value("name", std::string());
        const bool input = name == "input";
        d << "    " << q(c + "/" + name) << " [label=" << q(name)
          << (input ? ", shape=ellipse, fillcolor=\"#fff3d6\", color=\"#c59a2c\"" : "")
          << (!n.value("live", true) ? ", fillcolor=\"#f0f0f0\", color=\"#aaaaaa\", fontcolor=\"#888888\"" : "")
          << "];\n";
      }
      const auto& output = cell["output"];
      d << "    " << q(c + "/output") << " [label=" << q("output") << ", shape=ellipse, fillcolor=\"#e3f4e1\", "
        << "color=\"#4f9a45\"];\n";
      for (const auto& e : cell["edges"]) {
        d << "    " << q(c + "/" + e.value("from", std::string())) << " -> " << q(c + "/" + e.value("to", std::string()))
          << " [label=" << q(e.value("op", std::string())) << "];\n";
      }
      const std::string out_op = output.value("op", std::string());
      for (const auto& f : output["from"]) {
        d << "    " << q(c + "/" + f.get<std::string>()) << " -> " << q(c + "/output")
          << " [style=dashed" << (out_op == "identity" ? "" : ", label=" + q(out_op == "conv1x1(concat)" ? "concat" : out_op))
          << "];\n";
      }
      d << "  }\n";
    }
  } else {
    // A chain of layers: a strip read left to right, wrapped into rows of per_row.
    const auto& lines = view.contains("lines") ? view["lines"] : json::array();
    if (lines.empty()) return "";

    std::vector<std::string> ids{"in"}, labels{"observation"};
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string text = lines[i].is_string() ? lines[i].get<std::string>() : lines[i].dump();
      if (const auto eq = text.find(" = "); eq != std::string::npos) text.replace(eq, 3, "\n");  // "name\nop"
      ids.push_back("l" + std::to_string(i));
      labels.push_back(text);
    }
    ids.push_back("out");
    labels.push_back("features");
    const size_t per_row = ids.size() <= 7 ? ids.size() : 5;
    d << "  rankdir=TB;\n";
    for (size_t i = 0; i < ids.size(); ++i) {
      const bool end = i == 0 || i + 1 == ids.size();
      const bool chosen = labels[i].find("(chosen)") != std::string::npos;
      d << "  " << ids[i] << " [label=" << q(labels[i])
        << (i == 0 ? ", shape=ellipse, fillcolor=\"#fff3d6\", color=\"#c59a2c\"" : "")
        << (end && i > 0 ? ", shape=ellipse, fillcolor=\"#e3f4e1\", color=\"#4f9a45\"" : "")
        << (chosen ? ", fillcolor=\"#dcebd9\", color=\"#4f9a45\"" : "") << "];\n";
    }
    for (size_t row = 0; row * per_row < ids.size(); ++row) {
      d << "  { rank=same;";
      for (size_t i = row * per_row; i < std::min(ids.size(), (row + 1) * per_row); ++i) d << " " << ids[i] << ";";
      d << " }\n";
    }
    // Rows stack under each other (invisible edges between their first nodes); the edge from a
    // row's end to the next row's start does not pull the layout.
    for (size_t i = 1; i < ids.size(); ++i) {
      d << "  " << ids[i - 1] << " -> " << ids[i] << (i % per_row == 0 ? " [constraint=false]" : "") << ";\n";
      if (i % per_row == 0) d << "  " << ids[i - per_row] << " -> " << ids[i] << " [style=invis, weight=10];\n";
    }
  }
  d << "}\n";
  return d.str();
}

std::string render_html(const std::vector<ordered_json>& experiments, const PageOptions& options) {
  const std::string chartjs = read_file(find_chartjs(options.chartjs));
  ordered_json data = {{"experiments", ordered_json::array()}};
  std::string title = "rlnas report:";
  for (const auto& x : experiments) {
    ordered_json e = x;
    e["diagram_svg"] = "";
    if (e.contains("found") && e["found"].is_object()) e["diagram_svg"] = dot_to_svg(architecture_dot(e["found"]), options.dot);
    title += " " + std::to_string(e.value("id", int64_t{0}));
    data["experiments"].push_back(std::move(e));
  }
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  data["generated_at"] = stamp;
  data["refresh_seconds"] = options.refresh_seconds;

  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  if (options.refresh_seconds > 0) {
    h << "<meta http-equiv=\"refresh\" content=\"" << static_cast<int>(options.refresh_seconds + 0.5) << "\">\n";
  }
  h << "<title>" << html_escape(title) << "</title>\n<style>\n" << detail::kReportCss << "</style>\n"
    // Errors of any later script are collected for the page's self-check (tests read it).
    << "<script>window.rlnasErrors=[];window.addEventListener('error',function(e){window.rlnasErrors.push("
       "String(e.message)+' at '+e.filename+':'+e.lineno);});\n"
       "window.addEventListener('load',function(){if(document.getElementById('rlnas-check'))return;"
       "var p=document.createElement('pre');p.id='rlnas-check';p.hidden=true;p.textContent=JSON.stringify("
       "{charts:[],errors:window.rlnasErrors.concat(['the report script did not finish'])});"
       "document.body.appendChild(p);});</script>\n"
    << "<script>\n" << script_safe(chartjs) << "\n</script>\n"
    << "</head>\n<body>\n<div id=\"report\"></div>\n"
    << (options.comparison.empty() ? std::string()
                                   : "<section id=\"comparison\"><h2>Comparison (rlnas compare)</h2><pre>" +
                                         html_escape(options.comparison) + "</pre></section>\n")
    << "<noscript>This report draws its tables and plots with "
       "JavaScript; enable it to see them.</noscript>\n"
    << "<script id=\"rlnas-data\" type=\"application/json\">"
    << json_in_script(data.dump(-1, ' ', false, json::error_handler_t::replace)) << "</script>\n"
    << "<script>\n" << script_safe(detail::kReportJs) << "\n</script>\n</body>\n</html>\n";
  return h.str();
}

}  // namespace rlnas::report
