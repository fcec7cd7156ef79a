#include "dfs.hpp"

#include <algorithm>
#include <stdexcept>

namespace lockstep::check {
namespace {

bool contains(const std::vector<DfsSource::Asleep>& set, const model::Entry& entry) {
  return std::any_of(set.begin(), set.end(), [&](const DfsSource::Asleep& a) { return a.entry == entry; });
}

// Two entries alike (two gather callbacks of one task) cannot be told apart
// by identity: sleep sets leave them alone.
bool duplicated(const std::vector<model::Entry>& options, const model::Entry& entry) {
  return std::count(options.begin(), options.end(), entry) > 1;
}

}  // namespace

DfsSource::DfsSource(std::optional<int> preemption_bound, bool sleep_sets, std::vector<std::uint32_t> prefix)
    : bound_(preemption_bound), sleep_sets_(sleep_sets), prefix_(std::move(prefix)) {}

std::string DfsSource::describe() const {
  std::string out = "explore";
  out += bound_ ? " delays<=" + std::to_string(*bound_) : " unbounded";
  if (sleep_sets_) out += " sleep-sets";
  return out;
}

void DfsSource::begin_execution() {
  cursor_ = 0;
  sleep_now_.clear();
  just_chosen_.reset();
  last_now_ = 0;
}

int DfsSource::cost(const Level& level, std::uint32_t index) {
  return level.kind == ChoiceKind::schedule ? static_cast<int>(index) : 0;
}

bool DfsSource::allowed(const Level& level, std::uint32_t index, const std::vector<Asleep>& sleep) const {
  if (std::find(level.explored.begin(), level.explored.end(), index) != level.explored.end()) return false;
  if (bound_ && level.preemptions_before + cost(level, index) > *bound_) return false;
  const model::Entry& entry = level.options[index];
  if (sleep_sets_ && !duplicated(level.options, entry) && (contains(sleep, entry) || contains(level.done, entry))) {
    return false;
  }
  return true;
}

std::uint32_t DfsSource::pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) {
  if (cursor_ < stack_.size()) {
    // Replaying the path to the next unexplored branch.
    Level& level = stack_[cursor_];
    if (level.n != n || !std::equal(options.begin(), options.end(), level.options.begin(), level.options.end())) {
      throw std::runtime_error("explore: the program is not deterministic: decision " + std::to_string(cursor_ + 1) +
                               " offers a different ready queue on replay");
    }
    just_chosen_ = cursor_++;
    return level.chosen;
  }
  Level level;
  level.n = n;
  level.kind = kind;
  level.options.assign(options.begin(), options.end());
  level.sleep = sleep_now_;
  if (!stack_.empty()) {
    const Level& parent = stack_.back();
    level.preemptions_before = parent.preemptions_before + cost(parent, parent.chosen);
  }
  if (stack_.size() < prefix_.size()) {
    // A split's fixed prefix: follow it, never branch here.
    level.chosen = prefix_[stack_.size()];
    if (level.chosen >= n) throw std::runtime_error("explore: the split prefix does not fit the program");
    level.frozen = true;
  } else {
    std::uint32_t first = 0;
    while (first < n && !allowed(level, first, level.sleep)) ++first;
    if (first == n) throw ExecutionPruned{};
    level.chosen = first;
  }
  stack_.push_back(std::move(level));
  just_chosen_ = cursor_++;
  return stack_.back().chosen;
}

void DfsSource::observe_step(const model::StepRecord& step) {
  const Footprint fp = footprint_of(step);
  if (just_chosen_) {
    Level& level = stack_[*just_chosen_];
    // Remember what the chosen entry did from here, for its later siblings.
    const model::Entry entry = level.options[level.chosen];
    auto asleep = level.sleep;
    for (const Asleep& sibling : level.done) asleep.push_back(sibling);
    sleep_now_.clear();
    for (const Asleep& a : asleep) {
      if (a.entry != entry && !duplicated(level.options, a.entry) && independent(a.step, fp)) sleep_now_.push_back(a);
    }
    level.recorded = Asleep{entry, fp};
    just_chosen_.reset();
  } else {
    std::erase_if(sleep_now_, [&](const Asleep& a) { return !independent(a.step, fp); });
  }
  // A clock jump fires timers, which may change anything.
  if (step.now != last_now_) sleep_now_.clear();
  last_now_ = step.now;
}

bool DfsSource::start_next_execution() {
  while (!stack_.empty()) {
    Level& top = stack_.back();
    if (top.frozen) return false;  // the prefix is the root of this subtree
    // A branch whose step was never seen (the run stopped first) is assumed to
    // touch everything, so that it never puts a sibling to sleep wrongly.
    const model::Entry entry = top.options[top.chosen];
    Footprint everything;
    everything.entry = entry;
    everything.everything = true;
    top.done.push_back(top.recorded.value_or(Asleep{entry, everything}));
    top.explored.push_back(top.chosen);
    top.recorded.reset();
    std::uint32_t next = 0;
    while (next < top.n && !allowed(top, next, top.sleep)) ++next;
    if (next < top.n) {
      top.chosen = next;
      begin_execution();
      return true;
    }
    stack_.pop_back();
  }
  return false;
}

}  // namespace lockstep::check
