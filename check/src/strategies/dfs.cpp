#include "dfs.hpp"

#include <algorithm>
#include <stdexcept>

namespace lockstep::check {
namespace {

bool contains(const std::vector<DfsSource::Asleep>& set, int task) {
  return std::any_of(set.begin(), set.end(), [&](const DfsSource::Asleep& a) { return a.task == task; });
}

}  // namespace

DfsSource::DfsSource(std::optional<int> preemption_bound, bool sleep_sets, std::vector<std::uint32_t> prefix)
    : bound_(preemption_bound), sleep_sets_(sleep_sets), prefix_(std::move(prefix)) {}

std::string DfsSource::describe() const {
  std::string out = "explore";
  out += bound_ ? " preemptions<=" + std::to_string(*bound_) : " unbounded";
  if (sleep_sets_) out += " sleep-sets";
  return out;
}

void DfsSource::begin_execution() {
  cursor_ = 0;
  sleep_now_.clear();
  just_chosen_.reset();
  last_now_ = 0;
}

bool DfsSource::preempts(const Level& level, std::uint32_t index) const {
  return level.kind == ChoiceKind::schedule && index != 0;
}

bool DfsSource::allowed(const Level& level, std::uint32_t index, const std::vector<Asleep>& sleep) const {
  const int task = level.options[index];
  if (contains(level.done, task)) return false;
  if (sleep_sets_ && contains(sleep, task)) return false;
  if (bound_ && level.preemptions_before + (preempts(level, index) ? 1 : 0) > *bound_) return false;
  return true;
}

std::uint32_t DfsSource::pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) {
  if (cursor_ < stack_.size()) {
    // Replaying the path to the next unexplored branch.
    Level& level = stack_[cursor_];
    if (level.n != n || !std::equal(options.begin(), options.end(), level.options.begin(), level.options.end())) {
      throw std::runtime_error("explore: the program is not deterministic: decision " + std::to_string(cursor_ + 1) +
                               " offers different tasks on replay");
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
    level.preemptions_before = parent.preemptions_before + (preempts(parent, parent.chosen) ? 1 : 0);
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
    // Remember what the chosen task did from here, for its later siblings.
    const int task = level.options[level.chosen];
    auto asleep = level.sleep;
    for (const Asleep& sibling : level.done) asleep.push_back(sibling);
    sleep_now_.clear();
    for (const Asleep& a : asleep) {
      if (a.task != task && independent(a.step, fp)) sleep_now_.push_back(a);
    }
    level.recorded = Asleep{task, fp};
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
    const int task = top.options[top.chosen];
    top.done.push_back(top.recorded.value_or(Asleep{task, Footprint{task, true, true, {}}}));
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
