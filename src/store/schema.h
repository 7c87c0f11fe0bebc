// The store's schema as a history of migrations, and the code that brings a database up to date.
// Version N's SQL turns a version N-1 store into a version N one; version 1 creates everything.
// The version lives in PRAGMA user_version, and PRAGMA application_id marks the file as an rlnas
// store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sqlite.h"

namespace rlnas::store::detail {

inline constexpr int32_t kApplicationId = 0x726c6e73;  // "rlns"

struct Migration {
  int version;      // the version this step produces
  std::string sql;  // statements run on a store of version - 1
};

// Versions 1 .. kSchemaVersion, in order.
const std::vector<Migration>& schema_history();

int user_version(Db& db);

// Checks that `db` is an rlnas store this history understands and applies the missing steps in
// one transaction: a failure leaves the store exactly as it was. A database with a newer version
// than the history's last is refused ("upgrade rlnas").
void migrate(Db& db, const std::vector<Migration>& history);
// For a read-only connection: the file is an rlnas store at the newest version of `history`
// (an older one is refused: migrating it needs a writing command). Throws rlnas::Error.
void check_readable(Db& db, const std::vector<Migration>& history);

}  // namespace rlnas::store::detail
