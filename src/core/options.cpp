// Typed option tables.
#include "rlnas/core/options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"

namespace rlnas {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string range_text(double min, double max) {
  if (std::isinf(min) && std::isinf(max)) return "";
  if (std::isinf(max)) return " >= " + number(min);
  if (std::isinf(min)) return " <= " + number(max);
  return " in [" + number(min) + ", " + number(max) + "]";
}

bool parse_int(const std::string& s, int64_t& out) {
  const std::string t = trim(s);
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec == std::errc() && end == t.data() + t.size() && !t.empty()) return true;
  // Accept integral values written in float notation, e.g. "1e6" or "5000000.0".
  double d = 0;
  auto [end2, ec2] = std::from_chars(t.data(), t.data() + t.size(), d);
  if (ec2 != std::errc() || end2 != t.data() + t.size() || t.empty() || d != std::floor(d) || std::abs(d) > 9e18) {
    return false;
  }
  out = static_cast<int64_t>(d);
  return true;
}

}  // namespace

OptionTable& OptionTable::add(const std::string& key, int64_t* field, const std::string& doc, double min, double max) {
  entries_.push_back({key, field, doc, min, max, {}});
  return *this;
}
OptionTable& OptionTable::add(const std::string& key, double* field, const std::string& doc, double min, double max) {
  entries_.push_back({key, field, doc, min, max, {}});
  return *this;
}
OptionTable& OptionTable::add(const std::string& key, bool* field, const std::string& doc) {
  entries_.push_back({key, field, doc, -kInf, kInf, {}});
  return *this;
}
OptionTable& OptionTable::add(const std::string& key, std::string* field, const std::string& doc,
                              std::vector<std::string> choices) {
  entries_.push_back({key, field, doc, -kInf, kInf, std::move(choices)});
  return *this;
}
OptionTable& OptionTable::add(const std::string& key, std::vector<int64_t>* field, const std::string& doc, double min,
                              double max) {
  entries_.push_back({key, field, doc, min, max, {}});
  return *this;
}

bool OptionTable::contains(const std::string& key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; }) ||
         std::any_of(aliases_.begin(), aliases_.end(), [&](const auto& a) { return a.first == key; });
}

std::vector<std::string> OptionTable::keys() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.key);
  return out;
}

OptionTable& OptionTable::alias(const std::string& alias, const std::string& key) {
  find(key, "OptionTable::alias");  // bound
  aliases_.push_back({alias, key});
  return *this;
}

const OptionTable::Entry& OptionTable::find(const std::string& key, const std::string& where) const {
  for (const auto& e : entries_) {
    if (e.key == key) return e;
  }
  for (const auto& [a, k] : aliases_) {
    if (a == key) return find(k, where);
  }
  // Suggest keys sharing the section, else all.
  const auto dot = key.find('.');
  std::string valid;
  for (const auto& e : entries_) {
    if (dot == std::string::npos || e.key.compare(0, dot + 1, key, 0, dot + 1) == 0) {
      valid += (valid.empty() ? "" : ", ") + e.key;
    }
  }
  if (valid.empty()) {
    for (const auto& e : entries_) valid += (valid.empty() ? "" : ", ") + e.key;
  }
  const std::string message = where + ": unknown option '" + excerpt(key, 80) + "'; valid options: " + valid;
  if (is_command_line(where)) throw UsageError(message);
  throw Error(message);
}

void OptionTable::set(const std::string& key, const std::string& value, const std::string& where) {
  const Entry& e = find(key, where);
  auto fail = [&](const std::string& expected) {
    // An alias is named with the key it now spells.
    const std::string name = "'" + key + "'" + (e.key == key ? "" : " (now '" + e.key + "')");
    const std::string message =
        where + ": option " + name + " expects " + expected + ", found '" + excerpt(value, 80) + "'";
    if (is_command_line(where)) throw UsageError(message);
    throw Error(message);
  };
  auto check_range = [&](double v, const std::string& kind) {
    if (v < e.min || v > e.max || std::isnan(v)) fail(kind + range_text(e.min, e.max));
  };
  if (auto* p = std::get_if<int64_t*>(&e.field)) {
    int64_t v = 0;
    if (!parse_int(value, v)) fail("an integer" + range_text(e.min, e.max));
    check_range(static_cast<double>(v), "an integer");
    **p = v;
  } else if (auto* p = std::get_if<double*>(&e.field)) {
    const std::string t = trim(value);
    double v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size() || t.empty() || !std::isfinite(v)) {
      fail("a number" + range_text(e.min, e.max));
    }
    check_range(v, "a number");
    **p = v;
  } else if (auto* p = std::get_if<bool*>(&e.field)) {
    const std::string t = trim(value);
    if (t == "true" || t == "1" || t == "yes" || t == "on") {
      **p = true;
    } else if (t == "false" || t == "0" || t == "no" || t == "off") {
      **p = false;
    } else {
      fail("a boolean (true/false)");
    }
  } else if (auto* p = std::get_if<std::string*>(&e.field)) {
    const std::string t = trim(value);
    if (!e.choices.empty() && std::find(e.choices.begin(), e.choices.end(), t) == e.choices.end()) {
      std::string c;
      for (const auto& x : e.choices) c += (c.empty() ? "" : ", ") + x;
      fail("one of " + c);
    }
    **p = t;
  } else if (auto* p = std::get_if<std::vector<int64_t>*>(&e.field)) {
    std::string t = trim(value);
    if (!t.empty() && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
    std::vector<int64_t> out;
    std::stringstream ss(t);
    std::string item;
    const std::string expected = "a comma-separated list of integers" + range_text(e.min, e.max);
    while (std::getline(ss, item, ',')) {
      int64_t v = 0;
      if (!parse_int(item, v) || v < e.min || v > e.max) fail(expected);
      out.push_back(v);
    }
    **p = out;
  }
}

nlohmann::ordered_json OptionTable::to_json() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& e : entries_) {
    std::visit([&](auto* p) { out[e.key] = *p; }, e.field);
  }
  return out;
}

std::string OptionTable::help() const {
  size_t width = 0;
  for (const auto& e : entries_) width = std::max(width, e.key.size());
  std::ostringstream os;
  for (const auto& e : entries_) {
    std::string value;
    std::visit([&](auto* p) { value = nlohmann::json(*p).dump(); }, e.field);
    os << "  " << e.key << std::string(width + 2 - e.key.size(), ' ') << "= " << value << "  " << e.doc;
    if (!e.choices.empty()) {
      std::string c;
      for (const auto& x : e.choices) c += (c.empty() ? "" : "|") + x;
      os << " (" << c << ")";
    }
    os << "\n";
  }
  return os.str();
}

std::pair<std::string, std::string> split_key_value(const std::string& text, const std::string& where) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw Error(where + ": expected KEY=VALUE, found '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace rlnas
