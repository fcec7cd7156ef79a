#include "lockstep/check/explore.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
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
std::uint64_t fnv1a(std::string_view text, std::uint64_t h = 1469598103934665603ULL) {
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::string hex16(std::uint64_t value) {
  static const char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = digits[value & 15];
  return out;
}

std::optional<std::uint64_t> parse_hex16(std::string_view text) {
  if (text.size() != 16) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0) return std::nullopt;
    value = value << 4 | static_cast<std::uint64_t>(digit);
  }
  return value;
}

// Digits only, at most `max`.
std::optional<std::uint64_t> parse_whole(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (value > max) return std::nullopt;
  return value;
}

std::string join(const std::vector<std::uint32_t>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "" : " ") + std::to_string(values[i]);
  return out;
}

// ---- distinct traces: fingerprints, exactly up to a cap ----

struct Fingerprints {
  std::unordered_set<std::uint64_t> seen;
  bool capped = false;  // a fingerprint past the cap was not kept

  void add(std::uint64_t f) {
    if (seen.size() < kMaxTraceFingerprints) {
      seen.insert(f);
    } else if (!capped && seen.find(f) == seen.end()) {
      capped = true;
    }
  }
  void merge(const Fingerprints& other) {
    for (const std::uint64_t f : other.seen) add(f);
    capped = capped || other.capped;
  }
};

// ---- the state of an exploration: what a checkpoint holds ----

// One subtree still to explore: its decision prefix and, once begun, the
// depth-first stack from the root (its first prefix.size() levels frozen).
struct Subtree {
  std::vector<std::uint32_t> prefix;
  std::vector<DfsSource::Level> stack;
  std::size_t line = 0;  // where a checkpoint read it from (0: made here)
};

struct State {
  model::Program program;
  std::string scope = "all";
  std::optional<int> bound;
  bool sleep_sets = true;
  std::uint64_t executions = 0;
  std::uint64_t pruned = 0;
  Fingerprints traces;
  std::vector<Subtree> pending;  // explored front first
};

constexpr int kMaxBound = 64;
constexpr std::uint64_t kMaxCount = std::uint64_t{1} << 62;
constexpr std::uint64_t kMaxOptions = 4096;  // a ready queue longer than any program makes
constexpr std::uint64_t kMaxSubtrees = std::uint64_t{1} << 20;
constexpr std::uint64_t kMaxLevels = std::uint64_t{1} << 20;
constexpr std::uint64_t kMaxSplitParts = 4096;

int cost(const DfsSource::Level& level, std::uint32_t index) {
  return level.kind == ChoiceKind::schedule ? static_cast<int>(index) : 0;
}

std::string sleep_text(const std::vector<DfsSource::Asleep>& set) {
  std::string out;
  for (const auto& a : set) out += (out.empty() ? "" : ",") + model::to_string(a.entry) + "=" + to_string(a.step);
  return out.empty() ? "-" : out;
}

std::string entries_text(const std::vector<model::Entry>& entries) {
  std::string out;
  for (const auto& e : entries) out += (out.empty() ? "" : ",") + model::to_string(e);
  return out.empty() ? "-" : out;
}

std::string level_text(const DfsSource::Level& level) {
  return std::to_string(level.n) + " " + std::to_string(static_cast<int>(level.kind)) + " " +
         std::to_string(level.preemptions_before) + " " + std::to_string(level.chosen) + " " +
         (level.frozen ? "1" : "0") + " | " + entries_text(level.options) + " | " + sleep_text(level.sleep) + " | " +
         sleep_text(level.done) + " | " + (level.explored.empty() ? "-" : join(level.explored));
}

std::string program_line(const model::Program& program) { return model::to_compact(program); }

// Everything but the checksum line.
std::string body_text(const State& s) {
  std::ostringstream out;
  const std::string program = program_line(s.program);
  out << "lockstep explore checkpoint v" << kCheckpointVersion << "\n";
  out << "program: " << program << "\n";
  out << "program-hash: " << hex16(fnv1a(program)) << "\n";
  out << "scope: " << s.scope << "\n";
  out << "bound: " << (s.bound ? std::to_string(*s.bound) : "none") << "\n";
  out << "sleep-sets: " << (s.sleep_sets ? 1 : 0) << "\n";
  out << "executions: " << s.executions << "\n";
  out << "pruned: " << s.pruned << "\n";
  std::vector<std::uint64_t> sorted(s.traces.seen.begin(), s.traces.seen.end());
  std::sort(sorted.begin(), sorted.end());
  out << "traces: " << sorted.size() << (s.traces.capped ? " capped" : "") << "\n";
  for (const std::uint64_t f : sorted) out << "  " << hex16(f) << "\n";
  out << "subtrees: " << s.pending.size() << "\n";
  for (const Subtree& t : s.pending) {
    out << "subtree: " << t.stack.size() << " levels, prefix " << (t.prefix.empty() ? "-" : join(t.prefix)) << "\n";
    for (const auto& level : t.stack) out << "  " << level_text(level) << "\n";
  }
  return out.str();
}

std::string write_checkpoint(const State& s) {
  const std::string body = body_text(s);
  return body + "checksum: " + hex16(fnv1a(body)) + "\n";
}

// ---- reading ----

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  [[noreturn]] void fail(std::size_t line, const std::string& what) const {
    throw TraceError("checkpoint line " + std::to_string(line) + ": " + what);
  }
  [[noreturn]] void fail(const std::string& what) const { fail(line_, what); }

  bool at_end() const { return at_ >= text_.size(); }
  std::size_t line_number() const { return line_; }

  std::string_view next() {
    if (at_end()) fail(line_ + 1, "the checkpoint ends too early");
    const std::size_t end = text_.find('\n', at_);
    const std::size_t stop = end == std::string_view::npos ? text_.size() : end;
    std::string_view l = text_.substr(at_, stop - at_);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    at_ = end == std::string_view::npos ? text_.size() : end + 1;
    ++line_;
    return l;
  }
  std::string_view field(std::string_view name) {
    const std::string_view l = next();
    const std::string head = std::string(name) + ": ";
    if (l.substr(0, head.size()) != head && l != std::string(name) + ":") {
      fail("expected '" + std::string(name) + ":', found '" + std::string(l.substr(0, 80)) + "'");
    }
    return l.size() > head.size() ? l.substr(head.size()) : std::string_view();
  }
  std::uint64_t whole(std::string_view text, std::uint64_t max, const std::string& what) const {
    const auto v = parse_whole(text, max);
    if (!v) fail(what + " must be a whole number from 0 to " + std::to_string(max) + ", not '" + std::string(text.substr(0, 40)) + "'");
    return *v;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
  std::size_t line_ = 0;
};

std::vector<std::string_view> split_on(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    out.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::vector<std::uint32_t> parse_decisions(const Reader& r, std::string_view text, std::uint64_t max,
                                           const std::string& what) {
  std::vector<std::uint32_t> out;
  if (text == "-") return out;
  for (const std::string_view word : split_on(text, ' ')) {
    out.push_back(static_cast<std::uint32_t>(r.whole(word, max, what)));
  }
  return out;
}

// The checksum closes the file: a checkpoint cut short anywhere, or changed,
// fails here before anything else is read.
void check_seal(std::string_view text) {
  // The version first, so that an old checkpoint says what it is.
  const std::size_t first_end = text.find('\n');
  const std::string_view first = text.substr(0, first_end);
  const std::string header = "lockstep explore checkpoint v" + std::to_string(kCheckpointVersion);
  if (first != header) {
    if (first.substr(0, 29) == "lockstep explore checkpoint v") {
      throw TraceError("checkpoint line 1: a checkpoint " + std::string(first.substr(28, 12)) +
                       "; this build reads v" + std::to_string(kCheckpointVersion) +
                       " only (start the exploration again)");
    }
    throw TraceError("checkpoint line 1: not a lockstep explore checkpoint (expected '" + header + "')");
  }
  std::size_t lines = 0;
  for (const char c : text) lines += c == '\n' ? 1 : 0;
  if (text.empty() || text.back() != '\n') {
    throw TraceError("checkpoint line " + std::to_string(lines + 1) +
                     ": the last line is cut short (no newline at the end): the checkpoint is incomplete");
  }
  const std::size_t last_start = text.rfind('\n', text.size() - 2) + 1;  // npos + 1 == 0
  const std::string_view last = text.substr(last_start, text.size() - 1 - last_start);
  if (last.substr(0, 10) != "checksum: ") {
    throw TraceError("checkpoint line " + std::to_string(lines) +
                     ": expected the closing 'checksum:' line: the checkpoint is cut short, or has text after it");
  }
  const auto stated = parse_hex16(last.substr(10));
  if (!stated) {
    throw TraceError("checkpoint line " + std::to_string(lines) + ": the checksum must be 16 hex digits, not '" +
                     std::string(last.substr(10, 40)) + "'");
  }
  if (*stated != fnv1a(text.substr(0, last_start))) {
    throw TraceError("checkpoint line " + std::to_string(lines) +
                     ": the checksum does not match the lines above it: the checkpoint was changed or damaged");
  }
}

DfsSource::Level parse_level(const Reader& r, std::string_view l, std::size_t index, const Subtree& subtree,
                             const DfsSource::Level* parent, const std::optional<int>& bound) {
  const std::string at = "level " + std::to_string(index + 1);
  if (l.substr(0, 2) != "  ") r.fail("expected " + at + " of the subtree, found '" + std::string(l.substr(0, 80)) + "'");
  const auto parts = split_on(l.substr(2), '|');
  if (parts.size() != 5) r.fail(at + ": expected 5 fields separated by '|', found " + std::to_string(parts.size()));
  const auto head = split_on(trim(parts[0]), ' ');
  if (head.size() != 5) r.fail(at + ": expected 'n kind delays chosen frozen', found '" + std::string(trim(parts[0])) + "'");
  DfsSource::Level level;
  level.n = static_cast<std::uint32_t>(r.whole(head[0], kMaxOptions, at + "'s option count"));
  if (level.n < 2) r.fail(at + ": a decision has 2 or more options, not " + std::to_string(level.n));
  level.kind = static_cast<ChoiceKind>(r.whole(head[1], 1, at + "'s kind"));
  level.preemptions_before = static_cast<int>(r.whole(head[2], 1 << 30, at + "'s delays"));
  level.chosen = static_cast<std::uint32_t>(r.whole(head[3], level.n - 1, at + "'s choice"));
  level.frozen = r.whole(head[4], 1, at + "'s frozen flag") == 1;
  // What the level must be, given the ones above it.
  const int expected_delays = parent == nullptr ? 0 : parent->preemptions_before + cost(*parent, parent->chosen);
  if (level.preemptions_before != expected_delays) {
    r.fail(at + ": " + std::to_string(level.preemptions_before) + " delays before it, but the levels above add up to " +
           std::to_string(expected_delays));
  }
  const bool in_prefix = index < subtree.prefix.size();
  if (level.frozen != in_prefix) {
    r.fail(at + (in_prefix ? " is in the subtree's prefix but not frozen" : " is frozen but below the prefix"));
  }
  if (in_prefix && level.chosen != subtree.prefix[index]) {
    r.fail(at + ": the prefix chooses " + std::to_string(subtree.prefix[index]) + ", the level " +
           std::to_string(level.chosen));
  }
  if (!in_prefix && bound && level.preemptions_before + cost(level, level.chosen) > *bound) {
    r.fail(at + ": choice " + std::to_string(level.chosen) + " passes the bound of " + std::to_string(*bound) + " delays");
  }
  try {
    const std::string_view options = trim(parts[1]);
    if (options != "-") {
      for (const std::string_view e : split_on(options, ',')) level.options.push_back(model::parse_entry(std::string(e)));
    }
    const auto asleep = [](std::string_view text) {
      std::vector<DfsSource::Asleep> out;
      if (text == "-") return out;
      for (const std::string_view item : split_on(text, ',')) {
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) throw std::invalid_argument("a sleep entry without '='");
        out.push_back({model::parse_entry(std::string(item.substr(0, eq))),
                       parse_footprint(std::string(item.substr(eq + 1)))});
      }
      return out;
    };
    level.sleep = asleep(trim(parts[2]));
    level.done = asleep(trim(parts[3]));
  } catch (const std::exception& e) {
    r.fail(at + ": " + e.what());
  }
  if (level.options.size() != level.n) {
    r.fail(at + ": " + std::to_string(level.n) + " options announced, " + std::to_string(level.options.size()) + " listed");
  }
  level.explored = parse_decisions(r, trim(parts[4]), level.n - 1, at + "'s explored choice");
  std::vector<std::uint32_t> sorted = level.explored;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) r.fail(at + ": a choice explored twice");
  if (std::find(sorted.begin(), sorted.end(), level.chosen) != sorted.end()) {
    r.fail(at + ": choice " + std::to_string(level.chosen) + " is both being explored and done");
  }
  if (level.done.size() != level.explored.size()) {
    r.fail(at + ": " + std::to_string(level.explored.size()) + " choices explored but " +
           std::to_string(level.done.size()) + " done entries");
  }
  return level;
}

State read_checkpoint(std::string_view text) {
  check_seal(text);
  Reader r(text);
  State s;
  (void)r.next();  // the version, checked
  const std::string_view program = r.field("program");
  try {
    s.program = model::parse_program(program);
  } catch (const std::exception& e) {
    r.fail(std::string("program: ") + e.what());
  }
  const std::string_view hash = r.field("program-hash");
  const auto stated = parse_hex16(hash);
  if (!stated) r.fail("the program hash must be 16 hex digits, not '" + std::string(hash.substr(0, 40)) + "'");
  if (*stated != fnv1a(program)) {
    r.fail("the program does not match its hash: the checkpoint belongs to another program, or was edited");
  }
  if (program != program_line(s.program)) r.fail(2, "the program is not written the way lockstep writes it");
  const std::string_view scope = r.field("scope");
  {
    const bool all = scope == "all";
    const bool prefix = scope.substr(0, 7) == "prefix " &&
                        !parse_decisions(r, scope.substr(7), kMaxOptions - 1, "the scope's prefix").empty();
    bool share = false;
    if (scope.substr(0, 6) == "share ") {
      const auto kn = split_on(scope.substr(6), '/');
      share = kn.size() == 2 && parse_whole(kn[0], kMaxSplitParts) && parse_whole(kn[1], kMaxSplitParts) &&
              *parse_whole(kn[0], kMaxSplitParts) >= 1 && *parse_whole(kn[0], kMaxSplitParts) <= *parse_whole(kn[1], kMaxSplitParts);
    }
    if (!all && !prefix && !share) {
      r.fail("the scope must be 'all', 'prefix D...' or 'share K/N', not '" + std::string(scope.substr(0, 40)) + "'");
    }
    s.scope = std::string(scope);
  }
  const std::string_view bound = r.field("bound");
  if (bound != "none") {
    const auto b = parse_whole(bound, kMaxBound);
    if (!b) r.fail("the bound must be none or 0 to 64, not '" + std::string(bound.substr(0, 40)) + "'");
    s.bound = static_cast<int>(*b);
  }
  const std::string_view sleep = r.field("sleep-sets");
  if (sleep != "0" && sleep != "1") r.fail("sleep-sets must be 0 or 1, not '" + std::string(sleep.substr(0, 40)) + "'");
  s.sleep_sets = sleep == "1";
  s.executions = r.whole(r.field("executions"), kMaxCount, "executions");
  s.pruned = r.whole(r.field("pruned"), kMaxCount, "pruned");
  std::string_view traces = r.field("traces");
  if (traces.size() > 7 && traces.substr(traces.size() - 7) == " capped") {
    s.traces.capped = true;
    traces.remove_suffix(7);
  }
  const std::uint64_t count = r.whole(traces, kMaxTraceFingerprints, "the trace count");
  if (s.traces.capped && count != kMaxTraceFingerprints) r.fail("'capped' with fewer than the most fingerprints");
  std::uint64_t previous = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string_view l = r.next();
    const auto f = l.substr(0, 2) == "  " ? parse_hex16(l.substr(2)) : std::nullopt;
    if (!f) r.fail("expected trace fingerprint " + std::to_string(i + 1) + " of " + std::to_string(count) + " (16 hex digits), found '" + std::string(l.substr(0, 40)) + "'");
    if (i != 0 && *f <= previous) r.fail("the fingerprints must be in increasing order, each once");
    previous = *f;
    s.traces.seen.insert(*f);
  }
  const std::uint64_t subtrees = r.whole(r.field("subtrees"), kMaxSubtrees, "the subtree count");
  for (std::uint64_t t = 0; t < subtrees; ++t) {
    const std::string_view head = r.field("subtree");
    const auto comma = head.find(" levels, prefix ");
    if (comma == std::string_view::npos) r.fail("expected 'subtree: L levels, prefix P', found '" + std::string(head.substr(0, 80)) + "'");
    const std::uint64_t levels = r.whole(head.substr(0, comma), kMaxLevels, "the level count");
    Subtree subtree;
    subtree.line = r.line_number();
    subtree.prefix = parse_decisions(r, head.substr(comma + 16), kMaxOptions - 1, "a prefix decision");
    if (levels != 0 && levels < subtree.prefix.size()) {
      r.fail("a begun subtree has at least its prefix's " + std::to_string(subtree.prefix.size()) + " levels, not " +
             std::to_string(levels));
    }
    for (std::uint64_t i = 0; i < levels; ++i) {
      const std::string_view l = r.next();
      subtree.stack.push_back(parse_level(r, l, static_cast<std::size_t>(i), subtree,
                                          subtree.stack.empty() ? nullptr : &subtree.stack.back(), s.bound));
    }
    s.pending.push_back(std::move(subtree));
  }
  if (r.field("checksum").empty()) r.fail("an empty checksum");  // checked by check_seal
  if (!r.at_end()) r.fail(r.line_number() + 1, "text after the checksum line");
  return s;
}

// ---- running ----

bool should_stop(const ExploreOptions& options, const Clock::time_point started, std::size_t this_session) {
  if (options.max_executions != 0 && this_session >= options.max_executions) return true;
  if (options.time_budget || options.deadline) {
    const auto now = Clock::now();
    if (options.time_budget && now - started >= *options.time_budget) return true;
    if (options.deadline && now >= *options.deadline) return true;
  }
  return options.should_stop && options.should_stop();
}

ExploreResult run(State state, const ExploreOptions& options, const LockFactory& make_lock, bool from_checkpoint) {
  const auto started = Clock::now();
  ExploreResult result;
  std::set<std::string> finals;
  std::size_t this_session = 0;
  std::size_t finished = 0;  // subtrees done, at the front of state.pending
  bool stopped = false;
  RunResult last;
  std::string last_strategy;
  while (finished < state.pending.size() && !stopped && !result.failure) {
    Subtree& subtree = state.pending[finished];
    DfsSource dfs(state.bound, state.sleep_sets, subtree.prefix);
    if (!subtree.stack.empty()) dfs.restore(std::move(subtree.stack));
    subtree.stack.clear();
    dfs.begin_execution();
    while (true) {
      bool pruned = false;
      RunResult run;
      try {
        run = run_program(state.program, dfs, make_lock, options.run);
      } catch (const ExecutionPruned&) {
        pruned = true;
      } catch (const std::runtime_error& e) {
        // A stack or prefix that does not fit the program.
        if (!from_checkpoint) throw;
        throw TraceError("checkpoint line " + std::to_string(subtree.line) +
                         ": the subtree does not fit the checkpoint's program (" + e.what() + ")");
      }
      ++this_session;
      if (pruned) {
        ++state.pruned;
      } else {
        ++state.executions;
        std::string steps;
        for (const auto& step : run.steps) steps += model::to_string(step) + "\n";
        state.traces.add(fnv1a(steps));
        if (options.collect_final_states) finals.insert(final_state(run));
        if (!run.passed() && !result.failure) result.failure = make_trace(state.program, dfs.describe(), run);
        if (options.keep_last && (!result.failure || !run.passed())) {
          last = std::move(run);
          last_strategy = dfs.describe();
        }
      }
      if (options.progress && this_session % 1000 == 0) {
        options.progress(static_cast<std::size_t>(state.executions), state.traces.seen.size());
      }
      if (result.failure && options.stop_at_first_failure) break;
      if (!dfs.start_next_execution()) {
        ++finished;
        stopped = finished < state.pending.size() && should_stop(options, started, this_session);
        break;
      }
      if (should_stop(options, started, this_session)) {
        subtree.stack = dfs.stack();
        stopped = true;
        break;
      }
    }
  }
  const bool failed_and_stopped = result.failure && options.stop_at_first_failure;
  state.pending.erase(state.pending.begin(), state.pending.begin() + static_cast<std::ptrdiff_t>(finished));
  result.executions = static_cast<std::size_t>(state.executions);
  result.pruned = static_cast<std::size_t>(state.pruned);
  result.distinct_traces = state.traces.seen.size();
  result.traces_capped = state.traces.capped;
  result.complete = !failed_and_stopped && state.pending.empty();
  result.bound = state.bound;
  result.scope = state.scope;
  if (!failed_and_stopped && (!result.complete || options.checkpoint_always)) result.checkpoint = write_checkpoint(state);
  result.final_states.assign(finals.begin(), finals.end());
  if (options.keep_last && !last_strategy.empty()) {
    result.last = result.failure ? *result.failure : make_trace(state.program, last_strategy, last);
  }
  result.elapsed = Clock::now() - started;
  return result;
}

State fresh_state(const model::Program& program, const ExploreOptions& options,
                  const std::vector<std::vector<std::uint32_t>>& subtrees, const std::string& scope) {
  if (options.preemption_bound && (*options.preemption_bound < 0 || *options.preemption_bound > kMaxBound)) {
    throw std::invalid_argument("explore: the delay bound must be 0 to " + std::to_string(kMaxBound) + ", not " +
                                std::to_string(*options.preemption_bound));
  }
  State s;
  s.program = program;
  s.scope = scope;
  s.bound = options.preemption_bound;
  s.sleep_sets = options.sleep_sets;
  for (const auto& prefix : subtrees) s.pending.push_back({prefix, {}});
  return s;
}

// Splits begun subtrees' unexplored branches off as subtrees of their own,
// shallowest first, until there are `wanted` subtrees or none is left to split.
void carve(State& s, std::size_t wanted) {
  bool carved = true;
  while (s.pending.size() < wanted && carved) {
    carved = false;
    for (std::size_t t = 0; t < s.pending.size() && s.pending.size() < wanted; ++t) {
      auto& stack = s.pending[t].stack;
      for (std::size_t i = 0; i < stack.size(); ++i) {
        DfsSource::Level& level = stack[i];
        if (level.frozen) continue;
        // The last branch a DFS would take here: it is explored by the new
        // subtree instead (marked explored, with a footprint that touches
        // everything, so that it puts nothing to sleep).
        std::optional<std::uint32_t> branch;
        for (std::uint32_t b = level.n; b-- > 0;) {
          const bool taken = b == level.chosen ||
                             std::find(level.explored.begin(), level.explored.end(), b) != level.explored.end();
          const bool over = s.bound && level.preemptions_before + cost(level, b) > *s.bound;
          if (!taken && !over) {
            branch = b;
            break;
          }
        }
        if (!branch) continue;
        Subtree split;
        for (std::size_t j = 0; j < i; ++j) split.prefix.push_back(stack[j].chosen);
        split.prefix.push_back(*branch);
        Footprint everything;
        everything.entry = level.options[*branch];
        everything.everything = true;
        level.explored.push_back(*branch);
        level.done.push_back({level.options[*branch], everything});
        s.pending.push_back(std::move(split));
        carved = true;
        break;
      }
    }
  }
}

}  // namespace

std::string ExploreResult::coverage() const {
  if (failure && !complete) return "stopped at the first failure";
  if (!complete) return "stopped early: resume from the checkpoint to finish";
  std::string what = "all schedules";
  if (scope.rfind("prefix ", 0) == 0) what += " under " + scope;
  if (scope.rfind("share ", 0) == 0) what += " of " + scope;
  if (bound) what += " with at most " + std::to_string(*bound) + " delays";
  return what + " explored";
}

std::string ExploreResult::traces_text() const {
  if (!traces_capped) return std::to_string(distinct_traces) + " distinct traces";
  return "more than " + std::to_string(distinct_traces) + " distinct traces [counted exactly up to " +
         std::to_string(kMaxTraceFingerprints) + ", to bound memory]";
}

ExploreResult explore(const model::Program& program, const ExploreOptions& options, const LockFactory& make_lock) {
  const std::string scope = options.prefix.empty() ? "all" : "prefix " + join(options.prefix);
  return run(fresh_state(program, options, {options.prefix}, scope), options, make_lock, false);
}

ExploreResult resume_exploration(const std::string& checkpoint, const ExploreOptions& options,
                                 const LockFactory& make_lock) {
  return run(read_checkpoint(checkpoint), options, make_lock, true);
}

std::string start_checkpoint(const model::Program& program, const ExploreOptions& options,
                             const std::vector<std::vector<std::uint32_t>>& subtrees, const std::string& scope) {
  return write_checkpoint(fresh_state(program, options, subtrees, scope));
}

std::vector<std::string> split_checkpoint(const std::string& checkpoint, std::size_t parts) {
  State whole = read_checkpoint(checkpoint);
  parts = std::max<std::size_t>(1, parts);
  carve(whole, parts);
  const std::size_t n = std::max<std::size_t>(1, std::min(parts, whole.pending.size()));
  std::vector<State> shares(n);
  for (std::size_t i = 0; i < n; ++i) {
    shares[i].program = whole.program;
    shares[i].scope = whole.scope;
    shares[i].bound = whole.bound;
    shares[i].sleep_sets = whole.sleep_sets;
  }
  shares[0].executions = whole.executions;
  shares[0].pruned = whole.pruned;
  shares[0].traces = std::move(whole.traces);
  for (std::size_t t = 0; t < whole.pending.size(); ++t) shares[t % n].pending.push_back(std::move(whole.pending[t]));
  std::vector<std::string> out;
  for (const State& s : shares) out.push_back(write_checkpoint(s));
  return out;
}

std::string merge_checkpoints(const std::vector<std::string>& parts) {
  if (parts.empty()) throw TraceError("merge: no checkpoint to merge");
  State merged = read_checkpoint(parts[0]);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    State s = read_checkpoint(parts[i]);
    if (program_line(s.program) != program_line(merged.program) || s.bound != merged.bound ||
        s.sleep_sets != merged.sleep_sets || s.scope != merged.scope) {
      throw TraceError("merge: checkpoint " + std::to_string(i + 1) +
                       " explores another program, bound, sleep-set setting or scope than the first");
    }
    merged.executions = std::min(kMaxCount, merged.executions + s.executions);
    merged.pruned = std::min(kMaxCount, merged.pruned + s.pruned);
    merged.traces.merge(s.traces);
    for (Subtree& t : s.pending) merged.pending.push_back(std::move(t));
  }
  return write_checkpoint(merged);
}

CheckpointSummary summarize_checkpoint(const std::string& checkpoint) {
  const State s = read_checkpoint(checkpoint);
  CheckpointSummary out;
  out.executions = static_cast<std::size_t>(s.executions);
  out.pruned = static_cast<std::size_t>(s.pruned);
  out.distinct_traces = s.traces.seen.size();
  out.traces_capped = s.traces.capped;
  out.bound = s.bound;
  out.scope = s.scope;
  out.subtrees = s.pending.size();
  return out;
}

std::string seal_checkpoint(const std::string& checkpoint) {
  // Drop any checksum line, recompute the program hash from the program line.
  std::istringstream in(checkpoint);
  std::string body, program;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("checksum:", 0) == 0) continue;
    if (line.rfind("program: ", 0) == 0) program = line.substr(9);
    if (line.rfind("program-hash:", 0) == 0) line = "program-hash: " + hex16(fnv1a(program));
    body += line + "\n";
  }
  return body + "checksum: " + hex16(fnv1a(body)) + "\n";
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
        ChoiceKind next_kind = ChoiceKind::schedule;
        int delays = 0;
        explicit Probe(const std::vector<std::uint32_t>& p) : prefix(p) {}
        std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions) override {
          if (at < prefix.size()) {
            const std::uint32_t d = prefix[at++];
            if (kind == ChoiceKind::schedule) delays += static_cast<int>(d);
            return d;
          }
          if (!next_n) {
            next_n = n;
            next_kind = kind;
          }
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
        const int costs = probe.next_kind == ChoiceKind::schedule ? static_cast<int>(d) : 0;
        if (options.preemption_bound && probe.delays + costs > *options.preemption_bound) continue;
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
