// Typed option tables: bind dotted keys ("ppo.lr") to fields of options structs, with a doc line
// and a valid range each, so that configs, `--set key=value` and presets all go through one
// strict parser whose errors name the key, what was expected, what was found and where.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

namespace rlnas {

class OptionTable {
 public:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  OptionTable& add(const std::string& key, int64_t* field, const std::string& doc, double min = -kInf,
                   double max = kInf);
  OptionTable& add(const std::string& key, double* field, const std::string& doc, double min = -kInf,
                   double max = kInf);
  OptionTable& add(const std::string& key, bool* field, const std::string& doc);
  OptionTable& add(const std::string& key, std::string* field, const std::string& doc,
                   std::vector<std::string> choices = {});
  OptionTable& add(const std::string& key, std::vector<int64_t>* field, const std::string& doc, double min = -kInf,
                   double max = kInf);

  // `alias` is another spelling of the bound `key` (an older name that stored configs use): set()
  // and contains() accept it; keys(), to_json() and help() show only `key`.
  OptionTable& alias(const std::string& alias, const std::string& key);

  bool contains(const std::string& key) const;
  std::vector<std::string> keys() const;
  // Parses `value` into the field bound to `key`; `where` names the source for errors (e.g.
  // "--set", "config.yaml:12"). Unknown keys list the valid ones.
  void set(const std::string& key, const std::string& value, const std::string& where);
  // Current values, typed.
  nlohmann::ordered_json to_json() const;
  // One line per key: key, type, current value, doc.
  std::string help() const;

 private:
  using Field = std::variant<int64_t*, double*, bool*, std::string*, std::vector<int64_t>*>;
  struct Entry {
    std::string key;
    Field field;
    std::string doc;
    double min, max;
    std::vector<std::string> choices;
  };
  const Entry& find(const std::string& key, const std::string& where) const;
  std::vector<Entry> entries_;
  std::vector<std::pair<std::string, std::string>> aliases_;  // (alias, key)
};

// "KEY=VALUE" -> {KEY, VALUE}; `where` names the source in the error.
std::pair<std::string, std::string> split_key_value(const std::string& text, const std::string& where);

}  // namespace rlnas
