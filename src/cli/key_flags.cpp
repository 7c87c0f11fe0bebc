// Command options that set configuration keys, from one table (commands.h).
#include <map>

#include "commands.h"

namespace rlnas::cli {

KeyFlags::KeyFlags(std::vector<KeyFlag> table)
    : table_(std::move(table)), values_(std::make_shared<std::vector<std::string>>(table_.size())) {}

void KeyFlags::add_to(CLI::App& command) {
  for (size_t i = 0; i < table_.size(); ++i) {
    const auto& f = table_[i];
    if (f.is_switch) {
      // A switch given is the value "true"; not given, empty like any option.
      command.add_flag_function(
          f.flag, [values = values_, i](int64_t) { (*values)[i] = "true"; }, f.help);
    } else {
      auto* option = command.add_option(f.flag, (*values_)[i], f.help);
      // An empty value would read as "not given" and the default would apply silently.
      option->check(CLI::Validator(
          [](std::string& value) { return value.empty() ? std::string("expected a value, found ''") : std::string(); },
          ""));
      if (f.check) option->check(*f.check);
    }
  }
}

std::vector<std::pair<std::string, std::string>> KeyFlags::given() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < table_.size(); ++i) {
    if (!(*values_)[i].empty()) out.push_back({table_[i].key, (*values_)[i]});
  }
  return out;
}

std::vector<std::string> KeyFlags::given_against_resume() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < table_.size(); ++i) {
    if (!(*values_)[i].empty() && !table_[i].with_resume) out.push_back(table_[i].flag);
  }
  return out;
}

std::string KeyFlags::value(const std::string& key) const {
  // Several flags may set one key (--steps, --epochs): the one given.
  for (size_t i = 0; i < table_.size(); ++i) {
    if (table_[i].key == key && !(*values_)[i].empty()) return (*values_)[i];
  }
  return "";
}

void check_unique_sets(const std::vector<std::string>& sets) {
  std::map<std::string, std::string> seen;
  for (const auto& s : sets) {
    const auto key = s.substr(0, s.find('='));
    if (const auto it = seen.find(key); it != seen.end()) {
      throw CLI::ValidationError("--set", "the key '" + key + "' is given twice (--set " + it->second + ", --set " + s +
                                              "); give each key once");
    }
    seen.emplace(key, s);
  }
}

}  // namespace rlnas::cli
