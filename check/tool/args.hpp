// The lockstep command's one argument parser. Every subcommand declares its
// flags in one table (args_table.cpp): a name, a kind, a range or a set of values, a
// default and a line of help. The parser, the usage text and `--help` are all
// generated from that table, so they cannot disagree.
//
// Rules: `--name VALUE` or `--name=VALUE`; a boolean flag takes no value; a
// flag may be given once; an unknown flag is an error with a suggestion; `--`
// ends the flags; `--help` or `-h` anywhere prints the command's help.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lockstep::tool {

// Bad usage: printed with the command's synopsis; exit status 2.
struct Usage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bad input (a file that does not parse, a folder that is missing): exit 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class FlagKind {
  whole,    // an unsigned whole number in [min, max]: digits only
  seconds,  // a positive, finite number of seconds, at most kMaxSeconds
  text,     // one of `choices` (or any non-empty text when there are none)
  path,     // a non-empty file or folder name
  boolean,  // takes no value
  split,    // K/N with 1 <= K <= N <= kMaxSplit
};

inline constexpr double kMaxSeconds = 1e9;
inline constexpr std::uint64_t kMaxSplit = 4096;

struct FlagSpec {
  std::string_view name;  // without the leading "--"
  FlagKind kind = FlagKind::text;
  std::string_view value_name;  // "C", "FILE", ...: shown in the usage text
  std::string_view help;
  std::uint64_t min = 0;  // whole only: the inclusive range
  std::uint64_t max = 0;
  std::vector<std::string_view> choices;  // text only
  std::string_view fallback;              // the default, in the flag's own syntax ("" for none)
  std::string_view fallback_note;         // or, in words, what happens without the flag
};

struct CommandSpec {
  std::string_view name;
  std::string_view operand;  // "PROGRAM", "TRACE", or "" when the command takes none
  std::string_view summary;
  std::vector<FlagSpec> flags;
  std::vector<std::string_view> notes;  // rules between flags, shown in the help

  [[nodiscard]] const FlagSpec* flag(std::string_view name) const;
};

// Every subcommand, in the order the usage text lists them.
const std::vector<CommandSpec>& command_table();
const CommandSpec* find_command(std::string_view name);

struct Split {
  std::uint64_t k = 1;  // 1-based
  std::uint64_t n = 1;
};

using FlagValue = std::variant<bool, std::uint64_t, double, std::string, Split>;

struct Args {
  const CommandSpec* spec = nullptr;  // null: the overview help
  std::string command;                // spec's name
  bool help = false;                  // print spec's help (or the overview) and exit 0
  std::optional<std::string> operand;
  std::map<std::string, FlagValue, std::less<>> values;  // only the flags given

  [[nodiscard]] bool has(std::string_view name) const;
  // The value given, or the table's default. A flag without a default that was
  // not given, a name the table lacks, or the wrong kind is a programming error
  // (std::logic_error).
  [[nodiscard]] std::uint64_t whole(std::string_view name) const;
  [[nodiscard]] double seconds(std::string_view name) const;
  [[nodiscard]] std::string text(std::string_view name) const;  // text and path flags
  [[nodiscard]] bool flag(std::string_view name) const;         // boolean flags
  [[nodiscard]] Split split(std::string_view name) const;
};

// Parses argv[1..argc). Throws Usage.
Args parse_args(int argc, const char* const* argv);
Args parse_args(const std::vector<std::string>& words);

// The whole usage text (every command and flag), or one command's help.
std::string usage_text(const CommandSpec* only = nullptr);
// "lockstep random PROGRAM [--runs N] [--seed S] [--out FILE]"
std::string synopsis(const CommandSpec& command);
// "--name VALUE" (or "--name" for a boolean flag), and its range in words.
std::string flag_usage(const FlagSpec& f);
std::string range_text(const FlagSpec& f);
// The exit statuses, as the usage text states them.
std::string_view exit_status_text();

// `text` with every byte that is not printable escaped (\n, \t, \r, \\, \xNN),
// so a message quoting user input shows it whole and cannot drive the
// terminal. Valid UTF-8 above U+009F passes through.
std::string printable(std::string_view text);

// Optimal string alignment distance (Levenshtein with transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace lockstep::tool
