// The checkpoint's text form (format v4): writing it, and reading it back
// with a precise "checkpoint line N: ..." for anything wrong.
#include <algorithm>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "explore_state.hpp"

namespace lockstep::check {
namespace {

constexpr std::uint64_t kMaxOptions = 4096;  // a ready queue longer than any program makes
constexpr std::uint64_t kMaxSubtrees = std::uint64_t{1} << 20;
constexpr std::uint64_t kMaxLevels = std::uint64_t{1} << 20;
constexpr std::uint64_t kMaxSplitParts = 4096;

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

// ---- writing ----

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

void write_fingerprints(std::ostream& out, const char* name, const Fingerprints& fps) {
  std::vector<std::uint64_t> sorted(fps.seen.begin(), fps.seen.end());
  std::sort(sorted.begin(), sorted.end());
  out << name << ": " << sorted.size() << (fps.capped ? " capped" : "") << "\n";
  for (const std::uint64_t f : sorted) out << "  " << hex16(f) << "\n";
}

// Everything but the checksum line.
std::string body_text(const State& s) {
  std::ostringstream out;
  const std::string program = program_line(s.program);
  out << "lockstep explore checkpoint v" << kCheckpointVersion << "\n";
  out << "program: " << program << "\n";
  out << "program-hash: " << hex16(fnv1a(program)) << "\n";
  out << "scope: " << s.scope << "\n";
  out << "bound: " << (s.bound ? std::to_string(*s.bound) : "none") << "\n";
  out << "reduction: " << to_string(s.reduction) << "\n";
  out << "executions: " << s.executions << "\n";
  out << "pruned: " << s.pruned << "\n";
  write_fingerprints(out, "traces", s.traces);
  write_fingerprints(out, "classes", s.classes);
  out << "subtrees: " << s.pending.size() << "\n";
  for (const Subtree& t : s.pending) {
    out << "subtree: " << t.stack.size() << " levels, prefix " << (t.prefix.empty() ? "-" : join(t.prefix)) << "\n";
    for (const auto& level : t.stack) out << "  " << level_text(level) << "\n";
  }
  return out.str();
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
    if (!v) {
      fail(what + " must be a whole number from 0 to " + std::to_string(max) + ", not '" +
           std::string(text.substr(0, 40)) + "'");
    }
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
      throw TraceError("checkpoint line 1: a checkpoint " + std::string(first.substr(28, 12)) + "; this build reads v" +
                       std::to_string(kCheckpointVersion) + " only (start the exploration again)");
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

// "n kind delays chosen frozen": the numbers of a level, each in its range.
void parse_level_head(const Reader& r, std::string_view text, const std::string& at, DfsSource::Level& level) {
  const auto head = split_on(text, ' ');
  if (head.size() != 5) r.fail(at + ": expected 'n kind delays chosen frozen', found '" + std::string(text) + "'");
  level.n = static_cast<std::uint32_t>(r.whole(head[0], kMaxOptions, at + "'s option count"));
  if (level.n < 2) r.fail(at + ": a decision has 2 or more options, not " + std::to_string(level.n));
  level.kind = static_cast<ChoiceKind>(r.whole(head[1], 1, at + "'s kind"));
  level.preemptions_before = static_cast<int>(r.whole(head[2], 1 << 30, at + "'s delays"));
  level.chosen = static_cast<std::uint32_t>(r.whole(head[3], level.n - 1, at + "'s choice"));
  level.frozen = r.whole(head[4], 1, at + "'s frozen flag") == 1;
}

// What the level must be, given the ones above it, the prefix and the bound.
void check_level_place(const Reader& r, const DfsSource::Level& level, const std::string& at, std::size_t index,
                       const Subtree& subtree, const DfsSource::Level* parent, const std::optional<int>& bound) {
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
    r.fail(at + ": choice " + std::to_string(level.chosen) + " passes the bound of " + std::to_string(*bound) +
           " delays");
  }
}

std::vector<DfsSource::Asleep> parse_asleep(std::string_view text) {
  std::vector<DfsSource::Asleep> out;
  if (text == "-") return out;
  for (const std::string_view item : split_on(text, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) throw std::invalid_argument("a sleep entry without '='");
    out.push_back(
        {model::parse_entry(std::string(item.substr(0, eq))), parse_footprint(std::string(item.substr(eq + 1)))});
  }
  return out;
}

// The options, the sleep set and the done list (throwing std::invalid_argument).
void parse_level_sets(const std::vector<std::string_view>& parts, DfsSource::Level& level) {
  const std::string_view options = trim(parts[1]);
  if (options != "-") {
    for (const std::string_view e : split_on(options, ',')) level.options.push_back(model::parse_entry(std::string(e)));
  }
  level.sleep = parse_asleep(trim(parts[2]));
  level.done = parse_asleep(trim(parts[3]));
}

void check_level_explored(const Reader& r, const DfsSource::Level& level, const std::string& at) {
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
}

DfsSource::Level parse_level(const Reader& r, std::string_view l, std::size_t index, const Subtree& subtree,
                             const DfsSource::Level* parent, const std::optional<int>& bound) {
  const std::string at = "level " + std::to_string(index + 1);
  if (l.substr(0, 2) != "  ") {
    r.fail("expected " + at + " of the subtree, found '" + std::string(l.substr(0, 80)) + "'");
  }
  const auto parts = split_on(l.substr(2), '|');
  if (parts.size() != 5) r.fail(at + ": expected 5 fields separated by '|', found " + std::to_string(parts.size()));
  DfsSource::Level level;
  parse_level_head(r, trim(parts[0]), at, level);
  check_level_place(r, level, at, index, subtree, parent, bound);
  try {
    parse_level_sets(parts, level);
  } catch (const std::exception& e) {
    r.fail(at + ": " + e.what());
  }
  if (level.options.size() != level.n) {
    r.fail(at + ": " + std::to_string(level.n) + " options announced, " + std::to_string(level.options.size()) +
           " listed");
  }
  level.explored = parse_decisions(r, trim(parts[4]), level.n - 1, at + "'s explored choice");
  check_level_explored(r, level, at);
  return level;
}

void read_program(Reader& r, State& s) {
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
}

bool is_share(std::string_view text) {
  const auto kn = split_on(text, '/');
  if (kn.size() != 2) return false;
  const auto k = parse_whole(kn[0], kMaxSplitParts);
  const auto n = parse_whole(kn[1], kMaxSplitParts);
  return k && n && *k >= 1 && *k <= *n;
}

void read_scope(Reader& r, State& s) {
  const std::string_view scope = r.field("scope");
  const bool all = scope == "all";
  const bool prefix = scope.substr(0, 7) == "prefix " &&
                      !parse_decisions(r, scope.substr(7), kMaxOptions - 1, "the scope's prefix").empty();
  const bool share = scope.substr(0, 6) == "share " && is_share(scope.substr(6));
  if (!all && !prefix && !share) {
    r.fail("the scope must be 'all', 'prefix D...' or 'share K/N', not '" + std::string(scope.substr(0, 40)) + "'");
  }
  s.scope = std::string(scope);
}

void read_bound_and_reduction(Reader& r, State& s) {
  const std::string_view bound = r.field("bound");
  if (bound != "none") {
    const auto b = parse_whole(bound, kMaxBound);
    if (!b) r.fail("the bound must be none or 0 to 64, not '" + std::string(bound.substr(0, 40)) + "'");
    s.bound = static_cast<int>(*b);
  }
  const std::string_view reduction = r.field("reduction");
  const auto parsed = parse_reduction(reduction);
  if (!parsed) r.fail("the reduction must be dpor, sleep or none, not '" + std::string(reduction.substr(0, 40)) + "'");
  if (*parsed == Reduction::dpor && s.bound) r.fail("a dpor exploration has no bound (it runs as sleep under one)");
  s.reduction = *parsed;
}

void read_fingerprints(Reader& r, const char* name, const std::string& what, Fingerprints& fps) {
  std::string_view count_text = r.field(name);
  if (count_text.size() > 7 && count_text.substr(count_text.size() - 7) == " capped") {
    fps.capped = true;
    count_text.remove_suffix(7);
  }
  const std::uint64_t count = r.whole(count_text, kMaxTraceFingerprints, "the " + what + " count");
  if (fps.capped && count != kMaxTraceFingerprints) r.fail("'capped' with fewer than the most fingerprints");
  std::uint64_t previous = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string_view l = r.next();
    const auto f = l.substr(0, 2) == "  " ? parse_hex16(l.substr(2)) : std::nullopt;
    if (!f) {
      r.fail("expected " + what + " fingerprint " + std::to_string(i + 1) + " of " + std::to_string(count) +
             " (16 hex digits), found '" + std::string(l.substr(0, 40)) + "'");
    }
    if (i != 0 && *f <= previous) r.fail("the fingerprints must be in increasing order, each once");
    previous = *f;
    fps.seen.insert(*f);
  }
}

Subtree read_subtree(Reader& r, const State& s) {
  const std::string_view head = r.field("subtree");
  const auto comma = head.find(" levels, prefix ");
  if (comma == std::string_view::npos) {
    r.fail("expected 'subtree: L levels, prefix P', found '" + std::string(head.substr(0, 80)) + "'");
  }
  const std::uint64_t levels = r.whole(head.substr(0, comma), kMaxLevels, "the level count");
  Subtree subtree;
  subtree.line = r.line_number();
  subtree.prefix = parse_decisions(r, head.substr(comma + 16), kMaxOptions - 1, "a prefix decision");
  if (levels != 0 && s.reduction == Reduction::dpor) {
    r.fail("a dpor checkpoint holds subtrees not begun (0 levels), not " + std::to_string(levels) + " levels");
  }
  if (levels != 0 && levels < subtree.prefix.size()) {
    r.fail("a begun subtree has at least its prefix's " + std::to_string(subtree.prefix.size()) + " levels, not " +
           std::to_string(levels));
  }
  for (std::uint64_t i = 0; i < levels; ++i) {
    const std::string_view l = r.next();
    subtree.stack.push_back(parse_level(r, l, static_cast<std::size_t>(i), subtree,
                                        subtree.stack.empty() ? nullptr : &subtree.stack.back(), s.bound));
  }
  return subtree;
}

}  // namespace

void Fingerprints::add(std::uint64_t f) {
  if (seen.size() < kMaxTraceFingerprints) {
    seen.insert(f);
  } else if (!capped && seen.find(f) == seen.end()) {
    capped = true;
  }
}

void Fingerprints::merge(const Fingerprints& other) {
  for (const std::uint64_t f : other.seen) add(f);
  capped = capped || other.capped;
}

std::uint64_t fnv1a(std::string_view text, std::uint64_t h) {
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::string join(const std::vector<std::uint32_t>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "" : " ") + std::to_string(values[i]);
  return out;
}

int cost(const DfsSource::Level& level, std::uint32_t index) {
  return level.kind == ChoiceKind::schedule ? static_cast<int>(index) : 0;
}

std::string program_line(const model::Program& program) { return model::to_compact(program); }

std::string write_checkpoint(const State& s) {
  const std::string body = body_text(s);
  return body + "checksum: " + hex16(fnv1a(body)) + "\n";
}

State read_checkpoint(std::string_view text) {
  check_seal(text);
  Reader r(text);
  State s;
  (void)r.next();  // the version, checked
  read_program(r, s);
  read_scope(r, s);
  read_bound_and_reduction(r, s);
  s.executions = r.whole(r.field("executions"), kMaxCount, "executions");
  s.pruned = r.whole(r.field("pruned"), kMaxCount, "pruned");
  read_fingerprints(r, "traces", "trace", s.traces);
  read_fingerprints(r, "classes", "class", s.classes);
  const std::uint64_t subtrees = r.whole(r.field("subtrees"), kMaxSubtrees, "the subtree count");
  for (std::uint64_t t = 0; t < subtrees; ++t) s.pending.push_back(read_subtree(r, s));
  if (r.field("checksum").empty()) r.fail("an empty checksum");  // checked by check_seal
  if (!r.at_end()) r.fail(r.line_number() + 1, "text after the checksum line");
  return s;
}

std::string seal_text(const std::string& checkpoint) {
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

}  // namespace lockstep::check
