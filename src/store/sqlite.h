// A thin RAII layer over SQLite's C API, private to the store: a connection (Db) and prepared
// statements with typed bind/step/column. Every SQLite error becomes an rlnas::Error naming the
// store file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rlnas::store::detail {

class Db {
 public:
  // Opens `path` with sqlite3_open_v2 flags; sets the busy timeout and turns foreign keys on.
  // `uri`, when given, is what SQLite opens (a file: URI with parameters, SQLITE_OPEN_URI);
  // messages still name `path`.
  Db(std::string path, int flags, const std::string& uri = "");
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  // Runs statements that return no rows (several may be separated by ';').
  void exec(const std::string& sql);
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  // Throws rlnas::Error for SQLite result code `rc` while doing `what`: a file that is not a
  // database or is corrupt gets a message saying so, other errors SQLite's message.
  [[noreturn]] void fail(int rc, const std::string& what) const;

  int transaction_depth = 0;  // open Store::Transactions (the outermost is BEGIN IMMEDIATE)

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Db& db, std::string_view sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1 in the order they appear.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::nullptr_t);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, nullptr);
  }
  // Binds arguments to parameters 1, 2, ...
  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int i = 0;
    (bind(++i, args), ...);
    return *this;
  }

  bool step();  // true when a row is ready to read
  void run();   // steps to completion (statements without rows)
  void reset();

  bool is_null(int column) const;
  int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<int64_t> optional_int64(int column) const;
  std::optional<double> optional_real(int column) const;

 private:
  Db* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

}  // namespace rlnas::store::detail
