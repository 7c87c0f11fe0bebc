// Command options that set configuration keys, from one table (commands.h).
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
  for (size_t i = 0; i < table_.size(); ++i) {
    if (table_[i].key == key) return (*values_)[i];
  }
  return "";
}

}  // namespace rlnas::cli
