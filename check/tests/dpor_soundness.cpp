// DPOR's soundness, checked against the plain search: on the standard
// programs and on generated ones (a fixed seed), the set of end states found
// with each reduction equals the one found with none, with and without a delay
// bound; linked with a mutant core, so do whether a failure is found and its
// kinds (--failures-only). Usage:
//   dpor_soundness [--programs N] [--seed S] [--max-runs R] [--failures-only] PROG...
// Exit 0 when every comparison agrees, 1 at the first that does not.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "lockstep/check/explore.hpp"
#include "lockstep/check/generate.hpp"
#include "lockstep/check/trace.hpp"

using namespace lockstep;
using check::Reduction;

namespace {

struct Settings {
  std::size_t programs = 500;
  std::uint64_t seed = 1;
  std::size_t max_runs = 4000;  // the plain search's; a program over it is skipped
  bool failures_only = false;   // compare only the failure kinds found (for a mutant core)
  std::vector<std::string> files;
};

// The kinds of failure among end states ("model-disagreement", ...).
std::vector<std::string> failure_kinds(const std::vector<std::string>& states) {
  std::set<std::string> kinds;
  for (const std::string& s : states) {
    if (s.rfind("pass", 0) != 0) kinds.insert(s.substr(0, s.find(':')));
  }
  return {kinds.begin(), kinds.end()};
}

// The end states (verdict lines included: a failure's kind is part of it).
std::optional<std::vector<std::string>> ends(const model::Program& program, Reduction reduction,
                                             std::optional<int> bound, std::size_t max_runs, bool failures_only) {
  check::ExploreOptions options;
  options.reduction = reduction;
  options.preemption_bound = bound;
  options.collect_final_states = true;
  options.stop_at_first_failure = false;
  options.max_executions = max_runs;
  const auto result = check::explore(program, options);
  if (!result.complete) return std::nullopt;
  if (reduction == Reduction::dpor && !bound && result.pruned != 0) {
    std::cout << "dpor cut " << result.pruned << " runs short (expected 0)\n";
  }
  return failures_only ? failure_kinds(result.final_states) : result.final_states;
}

// False (and says why) when a reduction finds other end states than none.
bool agrees(const model::Program& program, const std::string& name, const Settings& settings, std::size_t& compared) {
  const std::size_t max_runs = settings.max_runs;
  for (const std::optional<int> bound : {std::optional<int>{}, std::optional<int>{1}}) {
    const auto plain = ends(program, Reduction::none, bound, max_runs, settings.failures_only);
    if (!plain) continue;  // too big to compare
    ++compared;
    for (const Reduction reduction : {Reduction::dpor, Reduction::sleep}) {
      const auto reduced = ends(program, reduction, bound, max_runs * 4, settings.failures_only);
      if (reduced == plain) continue;
      std::cout << name << ": " << check::to_string(reduction) << " with bound "
                << (bound ? std::to_string(*bound) : "none") << " finds other end states than none\n"
                << model::to_text(program);
      const std::set<std::string> a(plain->begin(), plain->end());
      for (const auto& s : reduced ? *reduced : std::vector<std::string>{"(incomplete)"}) {
        if (!a.count(s)) std::cout << "  only reduced: " << s << "\n";
      }
      const std::set<std::string> b(reduced ? reduced->begin() : plain->end(), reduced ? reduced->end() : plain->end());
      for (const auto& s : *plain) {
        if (!b.count(s)) std::cout << "  only none:    " << s << "\n";
      }
      return false;
    }
  }
  return true;
}

model::Program read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return model::parse_program(text.str());
}

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 < argc && arg == "--programs") {
      s.programs = std::strtoull(argv[++i], nullptr, 10);
    } else if (i + 1 < argc && arg == "--seed") {
      s.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (i + 1 < argc && arg == "--max-runs") {
      s.max_runs = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--failures-only") {
      s.failures_only = true;
    } else {
      s.files.push_back(arg);
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const Settings settings = parse(argc, argv);
  std::size_t compared = 0;
  for (const std::string& file : settings.files) {
    if (!agrees(read_file(file), file, settings, compared)) return 1;
  }
  for (std::size_t i = 0; i < settings.programs; ++i) {
    const std::uint64_t seed = settings.seed + i;
    if (!agrees(check::generate_program(seed), "generated seed " + std::to_string(seed), settings, compared)) {
      return 1;
    }
  }
  std::cout << compared << " comparisons agree (" << settings.files.size() << " files, " << settings.programs
            << " generated programs from seed " << settings.seed << ")\n";
  return 0;
}
