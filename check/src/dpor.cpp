#include "dpor.hpp"

#include <algorithm>
#include <stdexcept>

namespace lockstep::check {
namespace {

bool duplicated(const std::vector<model::Entry>& options, const model::Entry& entry) {
  return std::count(options.begin(), options.end(), entry) > 1;
}

bool contains(const std::vector<DporSource::Asleep>& set, const model::Entry& entry) {
  return std::any_of(set.begin(), set.end(), [&](const DporSource::Asleep& a) { return a.entry == entry; });
}

std::optional<std::uint32_t> index_of(const std::vector<model::Entry>& options, const model::Entry& entry) {
  const auto at = std::find(options.begin(), options.end(), entry);
  if (at == options.end()) return std::nullopt;
  return static_cast<std::uint32_t>(at - options.begin());
}

Footprint touches_everything(const model::Entry& entry) {
  Footprint fp;
  fp.entry = entry;
  fp.everything = true;
  return fp;
}

}  // namespace

DporSource::DporSource(std::vector<std::uint32_t> prefix, bool quiet_finishes)
    : prefix_(std::move(prefix)), quiet_finishes_(quiet_finishes) {}

void DporSource::begin_execution() {
  cursor_ = 0;
  changed_ = stack_.empty() ? 0 : stack_.size() - 1;
  fresh_from_ = 0;
  sleep_now_.clear();
  just_chosen_.reset();
  events_.clear();
  level_of_.clear();
  previous_.reset();
}

bool DporSource::asleep(const Level& level, const model::Entry& entry) {
  return !duplicated(level.options, entry) && (contains(level.sleep, entry) || contains(level.done, entry));
}

bool DporSource::allowed(const Level& level, std::uint32_t index) {
  if (std::find(level.explored.begin(), level.explored.end(), index) != level.explored.end()) return false;
  return !asleep(level, level.options[index]);
}

void DporSource::choose_first(Level& level, std::vector<WakeupNode> inherited) const {
  if (!level.exhaustive && !inherited.empty()) {
    const auto index = index_of(level.options, inherited.front().entry);
    if (!index) {
      throw std::logic_error("explore: dpor: a wakeup sequence's entry " + model::to_string(inherited.front().entry) +
                             " is not ready at decision " + std::to_string(stack_.size() + 1));
    }
    level.chosen = *index;
    level.next = std::move(inherited.front().after);
    level.wakeup.assign(std::make_move_iterator(inherited.begin() + 1), std::make_move_iterator(inherited.end()));
    return;
  }
  std::uint32_t first = 0;
  while (first < level.n && !allowed(level, first)) ++first;
  if (first == level.n) throw ExecutionPruned{};
  level.chosen = first;
}

DporSource::Level DporSource::fresh_level(std::uint32_t n, ChoiceKind kind, ReadyOptions options) {
  Level level;
  level.n = n;
  level.kind = kind;
  level.options.assign(options.begin(), options.end());
  level.sleep = sleep_now_;
  level.exhaustive =
      kind != ChoiceKind::schedule || std::any_of(level.options.begin(), level.options.end(),
                                                  [&](const model::Entry& e) { return duplicated(level.options, e); });
  if (stack_.size() < prefix_.size()) {
    level.chosen = prefix_[stack_.size()];
    if (level.chosen >= n) throw std::runtime_error("explore: the split prefix does not fit the program");
    level.frozen = true;
    return level;
  }
  std::vector<WakeupNode> inherited;
  if (!stack_.empty()) inherited = std::move(stack_.back().next);
  choose_first(level, std::move(inherited));
  return level;
}

std::uint32_t DporSource::pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) {
  if (cursor_ < stack_.size()) {
    const Level& level = stack_[cursor_];
    if (level.n != n || !std::equal(options.begin(), options.end(), level.options.begin(), level.options.end())) {
      throw std::runtime_error("explore: the program is not deterministic: decision " + std::to_string(cursor_ + 1) +
                               " offers a different ready queue on replay");
    }
    if (cursor_ == changed_) fresh_from_ = events_.size();
  } else {
    stack_.push_back(fresh_level(n, kind, options));
  }
  just_chosen_ = cursor_++;
  return stack_[*just_chosen_].chosen;
}

void DporSource::observe_step(const model::StepRecord& step) {
  add_event(events_, step, previous_ ? &*previous_ : nullptr, quiet_finishes_);
  const Footprint fp = events_.back().step;
  level_of_.push_back(just_chosen_ ? static_cast<std::ptrdiff_t>(*just_chosen_) : -1);
  if (just_chosen_) {
    Level& level = stack_[*just_chosen_];
    const model::Entry entry = level.options[level.chosen];
    sleep_now_.clear();
    for (const auto* set : {&level.sleep, &level.done}) {
      for (const Asleep& a : *set) {
        if (a.entry != entry && !duplicated(level.options, a.entry) && commute(a.step, fp)) {
          sleep_now_.push_back(a);
        }
      }
    }
    level.recorded = fp;
    just_chosen_.reset();
  } else {
    std::erase_if(sleep_now_, [&](const Asleep& a) { return !commute(a.step, fp); });
  }
  if (step.now != (previous_ ? previous_->now : 0)) sleep_now_.clear();  // a clock jump fires timers
  previous_ = step;
}

void DporSource::reverse(std::size_t i, std::size_t j, const HappensBefore& hb) {
  if (level_of_[i] < 0) return;  // the only entry ready: nothing could have run instead
  Level& level = stack_[static_cast<std::size_t>(level_of_[i])];
  if (level.frozen || level.exhaustive) return;  // another subtree's, or every index anyway
  std::vector<DporEvent> v;
  for (std::size_t k = i + 1; k < j; ++k) {
    if (!hb.ordered(i, k)) v.push_back(events_[k]);
  }
  v.push_back(events_[j]);
  for (const auto* set : {&level.sleep, &level.done}) {
    for (const Asleep& a : *set) {
      if (weak_initial(v, a.entry, a.step)) return;  // explored already, or on another branch's account
    }
  }
  if (!executable(v, level.options)) return;  // not a reversible race: e' needs what e or its followers enqueue
  wakeup_insert(level.wakeup, std::move(v));
}

void DporSource::reverse_races() {
  const HappensBefore hb(events_);
  for (std::size_t j = std::max<std::size_t>(fresh_from_, 1); j < events_.size(); ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      if (hb.race(events_, i, j)) reverse(i, j, hb);
    }
  }
}

bool DporSource::advance(Level& level) const {
  if (level.exhaustive) {
    std::uint32_t next = 0;
    while (next < level.n && !allowed(level, next)) ++next;
    if (next == level.n) return false;
    level.chosen = next;
    return true;
  }
  while (!level.wakeup.empty()) {
    WakeupNode node = std::move(level.wakeup.front());
    level.wakeup.erase(level.wakeup.begin());
    const auto index = index_of(level.options, node.entry);
    if (asleep(level, node.entry) || !index) continue;  // covered (an entry not ready was made exhaustive)
    level.chosen = *index;
    level.next = std::move(node.after);
    return true;
  }
  return false;
}

bool DporSource::start_next_execution() {
  reverse_races();
  while (!stack_.empty()) {
    Level& top = stack_.back();
    if (top.frozen) return false;  // the prefix is the root of this subtree
    const model::Entry entry = top.options[top.chosen];
    top.done.push_back({entry, top.recorded.value_or(touches_everything(entry))});
    top.explored.push_back(top.chosen);
    top.recorded.reset();
    top.next.clear();
    if (advance(top)) {
      begin_execution();
      return true;
    }
    stack_.pop_back();
  }
  return false;
}

std::vector<std::vector<std::uint32_t>> DporSource::remaining_prefixes() const {
  std::vector<std::vector<std::uint32_t>> out;
  std::vector<std::uint32_t> path;
  for (const Level& level : stack_) {
    for (std::uint32_t index = 0; index < level.n && !level.frozen; ++index) {
      if (index != level.chosen && allowed(level, index)) {
        out.push_back(path);
        out.back().push_back(index);
      }
    }
    path.push_back(level.chosen);
  }
  out.push_back(path);
  return out;
}

}  // namespace lockstep::check
