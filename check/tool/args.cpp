#include "args.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#ifndef LOCKSTEP_PROGRAMS_DIR
#define LOCKSTEP_PROGRAMS_DIR "check/programs"
#endif

namespace lockstep::tool {

namespace {

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

FlagSpec whole(std::string_view name, std::string_view value, std::uint64_t min, std::uint64_t max,
               std::string_view fallback, std::string_view help) {
  FlagSpec f;
  f.name = name;
  f.kind = FlagKind::whole;
  f.value_name = value;
  f.min = min;
  f.max = max;
  f.fallback = fallback;
  f.help = help;
  return f;
}

FlagSpec of_kind(FlagKind kind, std::string_view name, std::string_view value, std::string_view fallback,
                 std::string_view help) {
  FlagSpec f;
  f.name = name;
  f.kind = kind;
  f.value_name = value;
  f.fallback = fallback;
  f.help = help;
  return f;
}

FlagSpec out_flag() {
  return of_kind(FlagKind::path, "out", "FILE", "lockstep-failure.trace",
                 "where a failure's shrunk trace goes; the unshrunk one goes to FILE.original");
}
FlagSpec seed_flag(std::string_view help) {
  return whole("seed", "S", 0, kMaxU64, "1", help);
}
FlagSpec runs_flag() {
  return whole("runs", "N", 1, 1'000'000'000, "1000", "how many runs (seeds S, S+1, ...)");
}
FlagSpec depth_flag(std::string_view help) {
  return whole("depth", "D", 1, 64, "2", help);
}
FlagSpec preemptions_flag(std::string_view fallback, std::string_view help) {
  return whole("preemptions", "C", 0, 64, fallback, help);
}
FlagSpec trace_out_flag(std::string_view help) { return of_kind(FlagKind::path, "trace-out", "FILE", "", help); }
FlagSpec budget_flag(std::string_view fallback, std::string_view help) {
  return of_kind(FlagKind::seconds, "budget", "SECONDS", fallback, help);
}

std::vector<CommandSpec> make_table() {
  std::vector<CommandSpec> table;
  {
    CommandSpec c;
    c.name = "explore";
    c.operand = "PROGRAM";
    c.summary = "every schedule of PROGRAM up to equivalence, depth first, with an optional preemption bound";
    FlagSpec reduction = of_kind(FlagKind::text, "reduction", "R", "dpor",
                                 "dpor: one run per equivalence class (Optimal DPOR; sleep sets under --preemptions), "
                                 "sleep: sleep sets, none: every schedule");
    reduction.choices = {"dpor", "sleep", "none"};
    c.flags = {
        preemptions_flag("", "explore only schedules with at most C preemptions"),
        reduction,
        of_kind(FlagKind::boolean, "no-sleep-sets", "", "", "the same as --reduction none"),
        budget_flag("", "stop after about SECONDS, counted for the whole run with --workers too"),
        whole("max-executions", "N", 1, 1'000'000'000'000, "", "stop after N executions in this run"),
        of_kind(FlagKind::path, "checkpoint", "FILE", "lockstep-explore.checkpoint",
                "where a run that stops early (or is interrupted) writes its checkpoint"),
        of_kind(FlagKind::path, "resume", "CHECKPOINT", "",
                "go on from a checkpoint instead of starting on a PROGRAM"),
        whole("workers", "N", 1, 64, "", "deal the tree, by decision prefix, over N worker processes"),
        of_kind(FlagKind::split, "split", "K/N", "",
                "explore only share K of N (1 <= K <= N <= 4096), so N machines can each take one"),
        out_flag(),
        trace_out_flag("write the last execution's trace here (the failing one on a failure), pass or fail"),
    };
    c.notes = {
        "give PROGRAM or --resume CHECKPOINT, not both",
        "a run that stops early (--budget, --max-executions, SIGINT or SIGTERM) writes one checkpoint, in every mode;",
        "  it resumes alone or with --workers N for any N (--resume takes the bound, the reduction and the",
        "  subtrees from it: no --preemptions, --reduction, --no-sleep-sets or --split with it); a dpor run that stops",
        "  leaves what it had not finished as subtrees not begun, which resume re-explores whole",
        "--workers and --split exclude each other; --max-executions does not go with --workers (use --budget)",
        "the last line of stdout is one JSON summary: verdict, executions, pruned, classes, bound, reduction, ...",
        "a checkpoint (format v4) carries its version, its program and the program's hash, and a checksum of",
        "  everything above its last line; one cut short, edited or of another program is refused as FILE:LINE",
    };
    c.flags[0].fallback_note = "every schedule";
    table.push_back(std::move(c));
  }
  {
    CommandSpec c;
    c.name = "random";
    c.operand = "PROGRAM";
    c.summary = "uniformly random schedules of PROGRAM";
    c.flags = {runs_flag(), seed_flag("the first run's seed"), out_flag(),
               trace_out_flag("write the last run's trace here (the failing one on a failure), pass or fail")};
    c.notes = {"S + N - 1 must not pass 18446744073709551615"};
    table.push_back(std::move(c));
  }
  {
    CommandSpec c;
    c.name = "pct";
    c.operand = "PROGRAM";
    c.summary = "PCT schedules of PROGRAM (probabilistic concurrency testing, bug depth D)";
    c.flags = {runs_flag(), depth_flag("the bug depth PCT aims at"), seed_flag("the first run's seed"), out_flag(),
               trace_out_flag("write the last run's trace here (the failing one on a failure), pass or fail")};
    c.notes = {"S + N - 1 must not pass 18446744073709551615"};
    table.push_back(std::move(c));
  }
  {
    CommandSpec c;
    c.name = "replay";
    c.operand = "TRACE";
    c.summary = "re-run a trace and check every recorded step (TRACE: a trace file)";
    FlagSpec then = of_kind(FlagKind::text, "then", "STRATEGY", "", "after the recorded decisions, go on with random or pct");
    then.choices = {"random", "pct"};
    c.flags = {then, seed_flag("the seed of --then's strategy"), depth_flag("the depth of --then pct"), out_flag(),
               trace_out_flag("write the whole run's trace here, pass or fail")};
    c.notes = {"--seed needs --then; --depth needs --then pct"};
    table.push_back(std::move(c));
  }
  {
    CommandSpec c;
    c.name = "shrink";
    c.operand = "TRACE";
    c.summary = "shrink a failing trace again";
    c.flags = {of_kind(FlagKind::path, "out", "FILE", "", "where the shrunk trace goes")};
    c.flags.back().fallback_note = "TRACE.shrunk";
    table.push_back(std::move(c));
  }
  {
    CommandSpec c;
    c.name = "show";
    c.operand = "TRACE";
    c.summary = "print a trace's timeline";
    c.flags = {of_kind(FlagKind::path, "svg", "FILE", "", "also draw the timeline as an SVG picture in FILE"),
               of_kind(FlagKind::path, "html", "FILE", "",
                       "also write the timeline as one self-contained HTML page in FILE (arrow keys step through it)")};
    table.push_back(std::move(c));
  }
  {
    CommandSpec c;
    c.name = "campaign";
    c.summary = "the verification campaign: explore every program in DIR, then PCT and random schedules";
    c.flags = {
        of_kind(FlagKind::path, "programs", "DIR", LOCKSTEP_PROGRAMS_DIR, "the folder of .prog files to check"),
        budget_flag("60", "about how long the whole campaign runs"),
        preemptions_flag("2", "the delay bound of the exhaustive part"),
        seed_flag("the first seed of the generated programs (seed, seed + 1, ...)"),
        out_flag(),
    };
    table.push_back(std::move(c));
  }
  return table;
}

std::string flag_usage(const FlagSpec& f) {
  std::string out = "--" + std::string(f.name);
  if (f.kind != FlagKind::boolean) out += " " + std::string(f.value_name);
  return out;
}

std::string range_text(const FlagSpec& f) {
  switch (f.kind) {
    case FlagKind::whole:
      return "a whole number from " + std::to_string(f.min) + " to " + std::to_string(f.max);
    case FlagKind::seconds:
      return "a number of seconds greater than 0 and at most 1000000000 (like 30 or 0.5)";
    case FlagKind::text: {
      if (f.choices.empty()) return "some text";
      std::string out = "one of ";
      for (std::size_t i = 0; i < f.choices.size(); ++i) out += (i == 0 ? "" : ", ") + std::string(f.choices[i]);
      return out;
    }
    case FlagKind::path:
      return "a path";
    case FlagKind::boolean:
      return "no value";
    case FlagKind::split:
      return "K/N with 1 <= K <= N <= " + std::to_string(kMaxSplit) + " (like 1/4)";
  }
  return {};
}

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

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = make_table();
  return table;
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

Args parse_args(const std::vector<std::string>& words) {
  Args args;
  if (words.empty()) throw Usage("expected a command");
  const std::string& first = words[0];
  if (is_help(first) || first == "help") {
    args.help = true;
    if (words.size() >= 2) {
      args.spec = find_command(words[1]);
      if (args.spec == nullptr) throw Usage("help: unknown command " + quoted(words[1]));
      args.command = words[1];
    }
    if (words.size() > 2) throw Usage("help takes at most one command, got " + quoted(words[2]));
    return args;
  }
  args.spec = find_command(first);
  if (args.spec == nullptr) {
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
  args.command = first;
  const CommandSpec& command = *args.spec;
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (words[i] == "--") break;
    if (is_help(words[i])) {
      args.help = true;
      return args;
    }
  }

  std::string last_boolean;  // the flag just before, if it was a boolean one
  bool flags_ended = false;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    const bool follows_boolean = !last_boolean.empty();
    const std::string boolean_before = last_boolean;
    last_boolean.clear();
    if (!flags_ended && word == "--") {
      flags_ended = true;
      continue;
    }
    if (!flags_ended && word.size() > 2 && word.rfind("--", 0) == 0) {
      const auto eq = word.find('=');
      const std::string name = word.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const FlagSpec* f = command.flag(name);
      if (f == nullptr) {
        throw Usage("unknown flag --" + name + suggestion_for_flag(command, name));
      }
      if (args.has(name)) throw Usage("--" + name + " given twice");
      if (f->kind == FlagKind::boolean) {
        if (eq != std::string::npos) throw Usage("--" + name + " takes no value, got " + quoted(word));
        args.values.emplace(name, true);
        last_boolean = name;
        continue;
      }
      std::string value;
      if (eq != std::string::npos) {
        value = word.substr(eq + 1);
      } else {
        if (i + 1 >= words.size()) {
          throw Usage("--" + name + " needs a value: " + std::string(f->value_name) + ", " + range_text(*f));
        }
        const std::string& next = words[i + 1];
        if (next.size() > 2 && next.rfind("--", 0) == 0) {
          throw Usage("--" + name + " needs a value: " + std::string(f->value_name) + ", " + range_text(*f) +
                      "; found the flag " + quoted(next));
        }
        value = next;
        ++i;
      }
      args.values.emplace(name, parse_value(*f, value));
      continue;
    }
    if (!flags_ended && word.size() > 1 && word[0] == '-') {
      std::string hint;
      if (command.flag(word.substr(1)) != nullptr) hint = "; did you mean -" + word + "?";
      throw Usage("unknown flag " + quoted(word) + hint);
    }
    if (follows_boolean && looks_like_a_value(word)) {
      throw Usage("--" + boolean_before + " takes no value, got " + quoted(word));
    }
    if (command.operand.empty()) {
      throw Usage(std::string(command.name) + " takes no " + "argument, got " + quoted(word));
    }
    if (args.operand) {
      throw Usage("unexpected argument " + quoted(word) + ": " + std::string(command.name) + " takes one " +
                  std::string(command.operand));
    }
    if (word.empty()) throw Usage("expected a " + std::string(command.operand) + " file name, got an empty one");
    args.operand = word;
  }
  return args;
}

std::string synopsis(const CommandSpec& command) {
  // Wrapped at 100 columns, continuation lines indented under the operand.
  std::string head = "lockstep " + std::string(command.name);
  std::string out = head;
  if (!command.operand.empty()) out += " " + std::string(command.operand);
  const std::string indent(head.size() + 1 + 7, ' ');  // "usage: " comes before it
  std::size_t column = out.size() + 7;
  for (const FlagSpec& f : command.flags) {
    const std::string item = "[" + flag_usage(f) + "]";
    if (column + 1 + item.size() > 100) {
      out += "\n" + indent + item;
      column = indent.size() + item.size();
    } else {
      out += " " + item;
      column += 1 + item.size();
    }
  }
  return out;
}

std::string_view exit_status_text() {
  return "exit status: 0 pass (or stopped early by --budget or --max-executions, with a checkpoint);\n"
         "  1 a failure found (or a replay diverged); 2 bad usage or input (a file that does not read, parse\n"
         "  or check is named as FILE:LINE: what is wrong); 128+N stopped by signal N (130: Ctrl-C),\n"
         "  after writing what it had (explore: its checkpoint)\n";
}

std::string usage_text(const CommandSpec* only) {
  std::ostringstream out;
  if (only == nullptr) {
    out << "usage: lockstep COMMAND [ARGUMENT] [FLAGS]\n"
           "       lockstep help [COMMAND] | lockstep [COMMAND] --help\n"
           "PROGRAM is a program file (task 1: acquire; yield; release ...); TRACE a trace file\n"
           "or a one-line compact trace. Flags are --name VALUE or --name=VALUE; -- ends them.\n";
  }
  for (const CommandSpec& c : command_table()) {
    if (only != nullptr && &c != only) continue;
    out << (only != nullptr ? "usage: " : "\n       ") << synopsis(c) << "\n  " << c.summary << "\n";
    std::size_t width = 0;
    for (const FlagSpec& f : c.flags) width = std::max(width, flag_usage(f).size());
    for (const FlagSpec& f : c.flags) {
      const std::string left = flag_usage(f);
      std::vector<std::string> notes;
      if (f.kind == FlagKind::whole) notes.push_back(std::to_string(f.min) + " to " + std::to_string(f.max));
      if (f.kind == FlagKind::seconds) notes.push_back("more than 0, up to 1000000000");
      if (!f.fallback.empty()) notes.push_back("default " + std::string(f.fallback));
      if (!f.fallback_note.empty()) notes.push_back("default: " + std::string(f.fallback_note));
      out << "    " << left << std::string(width - left.size() + 2, ' ') << f.help;
      for (std::size_t i = 0; i < notes.size(); ++i) out << (i == 0 ? " (" : "; ") << notes[i];
      out << (notes.empty() ? "" : ")") << "\n";
    }
    for (const std::string_view note : c.notes) out << "  " << note << "\n";
  }
  out << "\n" << exit_status_text();
  return out.str();
}

std::string printable(std::string_view text) {
  std::string out;
  const auto hex = [&out](unsigned char c) {
    static const char digits[] = "0123456789abcdef";
    out += "\\x";
    out += digits[c >> 4];
    out += digits[c & 15];
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else if (c >= 0xc2 && c <= 0xf4) {
      // A whole, valid UTF-8 sequence for a code point above U+009F passes.
      const std::size_t length = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      bool valid = i + length <= text.size();
      std::uint32_t code = c & (length == 2 ? 0x1f : length == 3 ? 0x0f : 0x07);
      for (std::size_t j = 1; valid && j < length; ++j) {
        const auto next = static_cast<unsigned char>(text[i + j]);
        valid = (next & 0xc0) == 0x80;
        code = (code << 6) | (next & 0x3f);
      }
      const std::uint32_t smallest = length == 2 ? 0xa0 : length == 3 ? 0x800 : 0x10000;
      valid = valid && code >= smallest && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      if (valid) {
        out.append(text.substr(i, length));
        i += length;
        continue;
      }
      hex(c);
    } else {
      hex(c);
    }
    ++i;
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment over three rows.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace lockstep::tool
