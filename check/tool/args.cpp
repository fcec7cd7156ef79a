// The argument parser: words to Args, checked against the flag table
// (args_table.cpp), with a precise message for every mistake.
#include "args.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace lockstep::tool {

namespace {

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

// Messages quote user input raw: main escapes each whole message once, with printable().
std::string quoted(std::string_view value) { return "'" + std::string(value) + "'"; }

[[noreturn]] void bad_value(const FlagSpec& f, std::string_view value) {
  throw Usage("--" + std::string(f.name) + ": expected " + range_text(f) + ", got " +
              (value.empty() ? std::string("an empty value") : quoted(value)));
}

// Digits only, range-checked; nullopt for anything else.
std::optional<std::uint64_t> parse_whole(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (kMaxU64 - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

FlagValue parse_value(const FlagSpec& f, std::string_view value) {
  switch (f.kind) {
    case FlagKind::whole: {
      const auto v = parse_whole(value);
      if (!v || *v < f.min || *v > f.max) bad_value(f, value);
      return *v;
    }
    case FlagKind::seconds: {
      // Plain decimals only: no sign, exponent, hex, inf or nan.
      const auto dot = value.find('.');
      const std::string_view whole_part = value.substr(0, dot);
      const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : value.substr(dot + 1);
      const auto digits = [](std::string_view s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
      };
      if (whole_part.size() + fraction.size() == 0 || !digits(whole_part) || !digits(fraction) ||
          (dot != std::string_view::npos && fraction.empty()) || whole_part.size() > 12) {
        bad_value(f, value);
      }
      const double v = std::strtod(std::string(value).c_str(), nullptr);
      if (!std::isfinite(v) || v <= 0 || v > kMaxSeconds) bad_value(f, value);
      return v;
    }
    case FlagKind::text:
      if (value.empty()) bad_value(f, value);
      if (!f.choices.empty() && std::find(f.choices.begin(), f.choices.end(), value) == f.choices.end()) {
        bad_value(f, value);
      }
      return std::string(value);
    case FlagKind::path:
      if (value.empty()) bad_value(f, value);
      return std::string(value);
    case FlagKind::boolean:
      return true;
    case FlagKind::split: {
      const auto slash = value.find('/');
      if (slash == std::string_view::npos) bad_value(f, value);
      const auto k = parse_whole(value.substr(0, slash));
      const auto n = parse_whole(value.substr(slash + 1));
      if (!k || !n || *k < 1 || *k > *n || *n > kMaxSplit) bad_value(f, value);
      return Split{*k, *n};
    }
  }
  bad_value(f, value);
}

bool is_help(std::string_view word) { return word == "--help" || word == "-h"; }

// A word a user might have meant as the value of a boolean flag.
bool looks_like_a_value(std::string_view word) {
  static const std::vector<std::string_view> words = {"true", "false", "yes", "no", "on", "off"};
  return parse_whole(word).has_value() || std::find(words.begin(), words.end(), word) != words.end();
}

std::string suggestion_for_flag(const CommandSpec& command, std::string_view name) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const FlagSpec& f : command.flags) {
    const std::size_t d = edit_distance(name, f.name);
    if (d < best_distance) {
      best_distance = d;
      best = f.name;
    }
  }
  if (best_distance <= 2 || best_distance <= name.size() / 3) return "; did you mean --" + best + "?";
  // A flag of another command?
  std::string owners;
  for (const CommandSpec& other : command_table()) {
    if (other.flag(name) != nullptr) owners += (owners.empty() ? "" : ", ") + std::string(other.name);
  }
  if (!owners.empty()) {
    const bool several = owners.find(',') != std::string::npos;
    return " (" + std::string(command.name) + " has no such flag; " + owners + (several ? " do)" : " does)");
  }
  return "";
}

}  // namespace

const FlagSpec* CommandSpec::flag(std::string_view wanted) const {
  for (const FlagSpec& f : flags) {
    if (f.name == wanted) return &f;
  }
  return nullptr;
}

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& c : command_table()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool Args::has(std::string_view name) const { return values.find(name) != values.end(); }

namespace {
const FlagSpec& spec_of(const Args& args, std::string_view name, FlagKind kind) {
  const FlagSpec* f = args.spec == nullptr ? nullptr : args.spec->flag(name);
  if (f == nullptr) throw std::logic_error("lockstep: no flag --" + std::string(name) + " in the table");
  const bool fits = f->kind == kind || (kind == FlagKind::text && f->kind == FlagKind::path);
  if (!fits) throw std::logic_error("lockstep: --" + std::string(name) + " read as the wrong kind");
  return *f;
}

template <typename T>
T value_of(const Args& args, std::string_view name, FlagKind kind) {
  const FlagSpec& f = spec_of(args, name, kind);
  const auto it = args.values.find(name);
  if (it != args.values.end()) return std::get<T>(it->second);
  if (f.fallback.empty()) throw std::logic_error("lockstep: --" + std::string(name) + " has no default");
  return std::get<T>(parse_value(f, f.fallback));
}
}  // namespace

std::uint64_t Args::whole(std::string_view name) const { return value_of<std::uint64_t>(*this, name, FlagKind::whole); }
double Args::seconds(std::string_view name) const { return value_of<double>(*this, name, FlagKind::seconds); }
std::string Args::text(std::string_view name) const { return value_of<std::string>(*this, name, FlagKind::text); }
Split Args::split(std::string_view name) const { return value_of<Split>(*this, name, FlagKind::split); }
bool Args::flag(std::string_view name) const {
  spec_of(*this, name, FlagKind::boolean);
  return has(name);
}

Args parse_args(int argc, const char* const* argv) {
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) words.emplace_back(argv[i]);
  return parse_args(words);
}

namespace {

// `help`, `help COMMAND`, `--help`, `-h` as the first word.
Args parse_help(const std::vector<std::string>& words) {
  Args args;
  args.help = true;
  if (words.size() >= 2) {
    args.spec = find_command(words[1]);
    if (args.spec == nullptr) throw Usage("help: unknown command " + quoted(words[1]));
    args.command = words[1];
  }
  if (words.size() > 2) throw Usage("help takes at most one command, got " + quoted(words[2]));
  return args;
}

const CommandSpec& command_named(const std::string& first) {
  if (const CommandSpec* spec = find_command(first)) return *spec;
  if (!first.empty() && first[0] == '-') throw Usage("expected a command before " + quoted(first));
  std::string hint;
  std::size_t best = std::numeric_limits<std::size_t>::max();
  for (const CommandSpec& c : command_table()) {
    const std::size_t d = edit_distance(first, c.name);
    if (d < best && d <= 2) {
      best = d;
      hint = "; did you mean " + std::string(c.name) + "?";
    }
  }
  throw Usage("unknown command " + quoted(first) + hint);
}

// The words of one command line after the command, read left to right.
class Parser {
 public:
  Parser(const std::vector<std::string>& words, Args& args) : words_(words), args_(args), command_(*args.spec) {}

  void run() {
    for (i_ = 1; i_ < words_.size(); ++i_) {
      const std::string& word = words_[i_];
      const std::string boolean_before = last_boolean_;
      last_boolean_.clear();
      if (!flags_ended_ && word == "--") {
        flags_ended_ = true;
      } else if (!flags_ended_ && word.size() > 2 && word.rfind("--", 0) == 0) {
        long_flag(word);
      } else if (!flags_ended_ && word.size() > 1 && word[0] == '-') {
        std::string hint;
        if (command_.flag(word.substr(1)) != nullptr) hint = "; did you mean -" + word + "?";
        throw Usage("unknown flag " + quoted(word) + hint);
      } else {
        operand(word, boolean_before);
      }
    }
  }

 private:
  void long_flag(const std::string& word) {
    const auto eq = word.find('=');
    const std::string name = word.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const FlagSpec* f = command_.flag(name);
    if (f == nullptr) throw Usage("unknown flag --" + name + suggestion_for_flag(command_, name));
    if (args_.has(name)) throw Usage("--" + name + " given twice");
    if (f->kind == FlagKind::boolean) {
      if (eq != std::string::npos) throw Usage("--" + name + " takes no value, got " + quoted(word));
      args_.values.emplace(name, true);
      last_boolean_ = name;
      return;
    }
    const std::string value = eq != std::string::npos ? word.substr(eq + 1) : next_value(*f, name);
    args_.values.emplace(name, parse_value(*f, value));
  }

  // The word after --name, which must be there and not be a flag.
  std::string next_value(const FlagSpec& f, const std::string& name) {
    const std::string needs = "--" + name + " needs a value: " + std::string(f.value_name) + ", " + range_text(f);
    if (i_ + 1 >= words_.size()) throw Usage(needs);
    const std::string& next = words_[i_ + 1];
    if (next.size() > 2 && next.rfind("--", 0) == 0) throw Usage(needs + "; found the flag " + quoted(next));
    ++i_;
    return next;
  }

  void operand(const std::string& word, const std::string& boolean_before) {
    if (!boolean_before.empty() && looks_like_a_value(word)) {
      throw Usage("--" + boolean_before + " takes no value, got " + quoted(word));
    }
    if (command_.operand.empty()) throw Usage(std::string(command_.name) + " takes no argument, got " + quoted(word));
    if (args_.operand) {
      throw Usage("unexpected argument " + quoted(word) + ": " + std::string(command_.name) + " takes one " +
                  std::string(command_.operand));
    }
    if (word.empty()) throw Usage("expected a " + std::string(command_.operand) + " file name, got an empty one");
    args_.operand = word;
  }

  const std::vector<std::string>& words_;
  Args& args_;
  const CommandSpec& command_;
  std::size_t i_ = 1;
  std::string last_boolean_;  // the flag just before, if it was a boolean one
  bool flags_ended_ = false;
};

}  // namespace

Args parse_args(const std::vector<std::string>& words) {
  if (words.empty()) throw Usage("expected a command");
  if (is_help(words[0]) || words[0] == "help") return parse_help(words);
  Args args;
  args.spec = &command_named(words[0]);
  args.command = words[0];
  for (std::size_t i = 1; i < words.size() && words[i] != "--"; ++i) {
    if (is_help(words[i])) {
      args.help = true;
      return args;
    }
  }
  Parser(words, args).run();
  return args;
}

}  // namespace lockstep::tool
