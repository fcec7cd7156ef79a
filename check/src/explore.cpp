#include "lockstep/check/explore.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>

#include "footprint.hpp"
#include "strategies/dfs.hpp"

namespace lockstep::check {
namespace {

using Clock = std::chrono::steady_clock;  // budgets only: never part of a run

// How a run ended: the verdict and the observable state after the last step
// (every task's outcome, every lock, the clock).
std::string final_state(const RunResult& run) {
  std::string out = verdict_line(run);
  if (run.steps.empty()) return out;
  const model::StepRecord& last = run.steps.back();
  std::string state = model::to_string(last);
  return out + " @" + std::to_string(last.now) + " " + state.substr(state.find(" | ") + 3);
}

// FNV-1a, 64 bits: the same on every machine and standard library.
std::uint64_t fingerprint(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// ---- checkpoints ----

std::string join(const std::vector<std::uint32_t>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "" : " ") + std::to_string(values[i]);
  return out;
}

std::string to_text(const std::vector<DfsSource::Asleep>& set) {
  std::string out;
  for (const auto& a : set) out += (out.empty() ? "" : ",") + model::to_string(a.entry) + "=" + to_string(a.step);
  return out.empty() ? "-" : out;
}

std::string entries_text(const std::vector<model::Entry>& entries) {
  std::string out;
  for (const auto& e : entries) out += (out.empty() ? "" : ",") + model::to_string(e);
  return out.empty() ? "-" : out;
}

std::vector<DfsSource::Asleep> parse_asleep(const std::string& text) {
  std::vector<DfsSource::Asleep> out;
  if (text == "-") return out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("bad sleep entry '" + item + "'");
    out.push_back({model::parse_entry(item.substr(0, eq)), parse_footprint(item.substr(eq + 1))});
  }
  return out;
}

std::string make_checkpoint(const model::Program& program, const DfsSource& dfs, const ExploreResult& so_far,
                            const std::unordered_set<std::string>& traces) {
  std::ostringstream out;
  out << "lockstep explore checkpoint v2\n";
  out << "program: " << model::to_compact(program) << "\n";
  out << "bound: " << (dfs.bound() ? std::to_string(*dfs.bound()) : "none") << "\n";
  out << "sleep-sets: " << (dfs.sleep_sets() ? 1 : 0) << "\n";
  out << "prefix: " << join(dfs.prefix()) << "\n";
  out << "executions: " << so_far.executions << "\n";
  out << "pruned: " << so_far.pruned << "\n";
  out << "traces: " << traces.size() << "\n";
  for (const std::string& t : traces) out << "  " << t << "\n";
  out << "stack: " << dfs.stack().size() << "\n";
  for (const auto& level : dfs.stack()) {
    out << "  " << level.n << " " << static_cast<int>(level.kind) << " " << level.preemptions_before << " "
        << level.chosen << " " << (level.frozen ? 1 : 0) << " | " << entries_text(level.options) << " | "
        << to_text(level.sleep) << " | " << to_text(level.done) << " | " << (level.explored.empty() ? "-" : join(level.explored))
        << "\n";
  }
  return out.str();
}

struct Resumed {
  model::Program program;
  std::optional<int> bound;
  bool sleep_sets = true;
  std::vector<std::uint32_t> prefix;
  std::size_t executions = 0;
  std::size_t pruned = 0;
  std::unordered_set<std::string> traces;
  std::vector<DfsSource::Level> stack;
};

Resumed parse_checkpoint(const std::string& text) {
  std::istringstream in(text);
  std::size_t line_number = 0;
  auto line = [&]() {
    std::string l;
    if (!std::getline(in, l)) throw TraceError("checkpoint line " + std::to_string(line_number + 1) + ": ends too early");
    ++line_number;
    return l;
  };
  auto field = [&](const std::string& name) {
    const std::string l = line();
    if (l.rfind(name + ":", 0) != 0) {
      throw TraceError("checkpoint line " + std::to_string(line_number) + ": expected '" + name + ":', found '" + l + "'");
    }
    return l.size() > name.size() + 1 ? l.substr(name.size() + 2) : std::string();
  };
  auto number = [&](const std::string& text_value) {
    try {
      std::size_t used = 0;
      const unsigned long long v = std::stoull(text_value, &used);
      if (used != text_value.size()) throw std::invalid_argument("trailing");
      return static_cast<std::size_t>(v);
    } catch (const std::exception&) {
      throw TraceError("checkpoint line " + std::to_string(line_number) + ": '" + text_value + "' is not a number");
    }
  };
  if (line() != "lockstep explore checkpoint v2") throw TraceError("checkpoint line 1: not a lockstep explore checkpoint v2");
  Resumed r;
  try {
    r.program = model::parse_program(field("program"));
  } catch (const model::ParseError& e) {
    throw TraceError("checkpoint line " + std::to_string(line_number) + ": " + e.what());
  }
  const std::string bound = field("bound");
  if (bound != "none") r.bound = static_cast<int>(number(bound));
  r.sleep_sets = field("sleep-sets") == "1";
  std::istringstream prefix(field("prefix"));
  for (std::string d; prefix >> d;) r.prefix.push_back(static_cast<std::uint32_t>(number(d)));
  r.executions = number(field("executions"));
  r.pruned = number(field("pruned"));
  const std::size_t traces = number(field("traces"));
  for (std::size_t i = 0; i < traces; ++i) r.traces.insert(line().substr(2));
  const std::size_t levels = number(field("stack"));
  for (std::size_t i = 0; i < levels; ++i) {
    const std::string l = line();
    try {
      std::istringstream parts(l);
      std::string head, options, sleep, done, explored;
      std::getline(parts, head, '|');
      std::getline(parts, options, '|');
      std::getline(parts, sleep, '|');
      std::getline(parts, done, '|');
      std::getline(parts, explored);
      DfsSource::Level level;
      std::istringstream h(head);
      int kind = 0, frozen = 0;
      if (!(h >> level.n >> kind >> level.preemptions_before >> level.chosen >> frozen) || kind < 0 || kind > 1 ||
          level.preemptions_before < 0) {
        throw std::invalid_argument("bad level");
      }
      level.kind = static_cast<ChoiceKind>(kind);
      level.frozen = frozen != 0;
      auto trim = [](std::string s) {
        s.erase(0, s.find_first_not_of(' '));
        s.erase(s.find_last_not_of(' ') + 1);
        return s;
      };
      const std::string option_list = trim(options);
      if (option_list != "-") {
        std::istringstream o(option_list);
        for (std::string e; std::getline(o, e, ',');) level.options.push_back(model::parse_entry(e));
      }
      const std::string explored_list = trim(explored);
      if (explored_list != "-") {
        std::istringstream x(explored_list);
        for (std::string d; x >> d;) level.explored.push_back(static_cast<std::uint32_t>(number(d)));
      }
      level.sleep = parse_asleep(trim(sleep));
      level.done = parse_asleep(trim(done));
      if (level.options.size() != level.n || level.chosen >= level.n) throw std::invalid_argument("bad level");
      r.stack.push_back(std::move(level));
    } catch (const std::exception&) {
      throw TraceError("checkpoint line " + std::to_string(line_number) + ": bad decision level '" + l + "'");
    }
  }
  return r;
}

ExploreResult run_dfs(const model::Program& program, DfsSource& dfs, const ExploreOptions& options,
                      const LockFactory& make_lock, ExploreResult result, std::unordered_set<std::string> traces,
                      bool fresh) {
  const auto started = Clock::now();
  std::set<std::string> finals;
  std::size_t this_session = 0;
  if (fresh) dfs.begin_execution();
  while (true) {
    bool pruned = false;
    RunResult run;
    try {
      run = run_program(program, dfs, make_lock, options.run);
    } catch (const ExecutionPruned&) {
      pruned = true;
    }
    ++this_session;
    if (pruned) {
      ++result.pruned;
    } else {
      ++result.executions;
      std::string steps;
      for (const auto& step : run.steps) steps += model::to_string(step) + "\n";
      traces.insert(std::to_string(fingerprint(steps)));
      if (options.collect_final_states) finals.insert(final_state(run));
      if (!run.passed() && !result.failure) {
        result.failure = make_trace(program, dfs.describe(), run);
      }
    }
    if (options.progress && this_session % 1000 == 0) options.progress(result.executions, traces.size());
    if (result.failure && options.stop_at_first_failure) break;
    if (!dfs.start_next_execution()) {
      result.complete = true;
      break;
    }
    const bool out_of_time = options.time_budget && Clock::now() - started >= *options.time_budget;
    const bool out_of_runs = options.max_executions != 0 && this_session >= options.max_executions;
    if (out_of_time || out_of_runs) {
      result.checkpoint = make_checkpoint(program, dfs, result, traces);
      break;
    }
  }
  result.distinct_traces = traces.size();
  result.final_states.assign(finals.begin(), finals.end());
  result.elapsed = Clock::now() - started;
  return result;
}

}  // namespace

std::string ExploreResult::coverage(const ExploreOptions& options) const {
  if (failure && !complete) return "stopped at the first failure";
  if (!complete) return "stopped early: resume from the checkpoint to finish";
  std::string scope = options.prefix.empty() ? "all schedules" : "all schedules under prefix " + join(options.prefix);
  if (options.preemption_bound) {
    return scope + " with at most " + std::to_string(*options.preemption_bound) + " delays explored";
  }
  return scope + " explored";
}

ExploreResult explore(const model::Program& program, const ExploreOptions& options, const LockFactory& make_lock) {
  if (options.preemption_bound && *options.preemption_bound < 0) {
    throw std::invalid_argument("explore: the delay bound must be 0 or more, not " + std::to_string(*options.preemption_bound));
  }
  DfsSource dfs(options.preemption_bound, options.sleep_sets, options.prefix);
  return run_dfs(program, dfs, options, make_lock, {}, {}, true);
}

ExploreResult resume_exploration(const std::string& checkpoint, const ExploreOptions& options,
                                 const LockFactory& make_lock) {
  Resumed r = parse_checkpoint(checkpoint);
  DfsSource dfs(r.bound, r.sleep_sets, r.prefix);
  dfs.restore(std::move(r.stack));
  dfs.begin_execution();
  ExploreResult so_far;
  so_far.executions = r.executions;
  so_far.pruned = r.pruned;
  ExploreOptions resumed = options;
  resumed.preemption_bound = r.bound;
  resumed.sleep_sets = r.sleep_sets;
  resumed.prefix = r.prefix;
  return run_dfs(r.program, dfs, resumed, make_lock, so_far, std::move(r.traces), false);
}

std::vector<std::vector<std::uint32_t>> split_prefixes(const model::Program& program, std::size_t parts,
                                                       const ExploreOptions& options, const LockFactory& make_lock) {
  // Deepen a frontier of prefixes until it has enough of them, or cannot grow.
  std::vector<std::vector<std::uint32_t>> frontier{{}};
  while (frontier.size() < parts) {
    std::vector<std::vector<std::uint32_t>> next;
    bool grew = false;
    for (const auto& prefix : frontier) {
      // Run the prefix then stop deciding: how many options does the next decision offer?
      struct Probe final : ChoiceSource {
        const std::vector<std::uint32_t>& prefix;
        std::size_t at = 0;
        std::optional<std::uint32_t> next_n;
        int delays = 0;
        explicit Probe(const std::vector<std::uint32_t>& p) : prefix(p) {}
        std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions) override {
          if (at < prefix.size()) {
            const std::uint32_t d = prefix[at++];
            if (kind == ChoiceKind::schedule) delays += static_cast<int>(d);
            return d;
          }
          if (!next_n) next_n = n;
          return 0;
        }
        std::string describe() const override { return "split probe"; }
      } probe(prefix);
      RunOptions run = options.run;
      run.compare_with_model = false;  // only the shape of the tree matters here
      (void)run_program(program, probe, make_lock, run);
      if (!probe.next_n) {
        next.push_back(prefix);
        continue;
      }
      grew = true;
      for (std::uint32_t d = 0; d < *probe.next_n; ++d) {
        if (options.preemption_bound && probe.delays + static_cast<int>(d) > *options.preemption_bound) continue;
        auto longer = prefix;
        longer.push_back(d);
        next.push_back(std::move(longer));
      }
    }
    frontier = std::move(next);
    if (!grew) break;
  }
  return frontier;
}

}  // namespace lockstep::check
