// The usage text and `--help`, generated from the flag table (args_table.cpp).
#include <algorithm>
#include <sstream>

#include "args.hpp"

namespace lockstep::tool {

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
      out += "\n";
      out += indent;
      out += item;
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
         "  after writing what it had (explore: its checkpoint), or killed by signal N when the code\n"
         "  under test crashed or hung (SIGPROF: one run took over 10 s of CPU time), after writing\n"
         "  the run in progress to --out (its summary: failure crash)\n";
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

}  // namespace lockstep::tool
