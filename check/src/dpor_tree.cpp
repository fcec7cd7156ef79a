#include "dpor_tree.hpp"

#include <algorithm>

namespace lockstep::check {

bool dependent(const DporEvent& a, const DporEvent& b) { return a.epoch != b.epoch || !commute(a.step, b.step); }

HappensBefore::HappensBefore(const std::vector<DporEvent>& events)
    : words_((events.size() + 63) / 64), bits_(events.size() * words_, 0) {
  for (std::size_t j = 0; j < events.size(); ++j) {
    std::uint64_t* row = &bits_[j * words_];
    for (std::size_t i = j; i-- > 0;) {
      const bool enabled = events[j].enabler == static_cast<std::ptrdiff_t>(i);
      if (get(j, i) || (!enabled && !dependent(events[i], events[j]))) continue;
      row[i / 64] |= std::uint64_t{1} << (i % 64);
      const std::uint64_t* above = &bits_[i * words_];
      for (std::size_t w = 0; w < words_; ++w) row[w] |= above[w];
    }
  }
}

bool HappensBefore::race(const std::vector<DporEvent>& events, std::size_t i, std::size_t j) const {
  const DporEvent& a = events[i];
  const DporEvent& b = events[j];
  if (i >= j || a.entry == b.entry || a.epoch != b.epoch || commute(a.step, b.step)) return false;
  if (b.enabler == static_cast<std::ptrdiff_t>(i)) return false;
  for (std::size_t k = i + 1; k < j; ++k) {
    if (ordered(i, k) && ordered(k, j)) return false;
  }
  return true;
}

bool weak_initial(const std::vector<DporEvent>& v, const model::Entry& entry, const Footprint& step) {
  const auto first = std::find_if(v.begin(), v.end(), [&](const DporEvent& e) { return e.entry == entry; });
  if (first == v.end()) {
    return std::all_of(v.begin(), v.end(), [&](const DporEvent& e) { return commute(step, e.step); });
  }
  const auto k = static_cast<std::size_t>(first - v.begin());
  const HappensBefore hb(v);
  for (std::size_t m = 0; m < k; ++m) {
    if (hb.ordered(m, k)) return false;
  }
  return true;
}

namespace {

std::vector<WakeupNode> chain(const std::vector<DporEvent>& v) {
  std::vector<WakeupNode> out;
  std::vector<WakeupNode>* at = &out;
  for (const DporEvent& e : v) {
    at->push_back({e.entry, e.step, {}});
    at = &at->back().after;
  }
  return out;
}

}  // namespace

void wakeup_insert(std::vector<WakeupNode>& branches, std::vector<DporEvent> v) {
  std::vector<WakeupNode>* nodes = &branches;
  while (true) {
    const auto next = std::find_if(nodes->begin(), nodes->end(),
                                   [&](const WakeupNode& c) { return weak_initial(v, c.entry, c.step); });
    if (next == nodes->end()) {
      for (WakeupNode& node : chain(v)) nodes->push_back(std::move(node));
      return;
    }
    if (next->after.empty()) return;  // a leaf: v is covered already
    const auto own = std::find_if(v.begin(), v.end(), [&](const DporEvent& e) { return e.entry == next->entry; });
    if (own != v.end()) v.erase(own);
    nodes = &next->after;
  }
}

std::uint64_t trace_class(const std::vector<DporEvent>& events) {
  const HappensBefore hb(events);
  std::vector<bool> taken(events.size(), false);
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (std::size_t round = 0; round < events.size(); ++round) {
    std::size_t best = events.size();
    for (std::size_t j = 0; j < events.size(); ++j) {
      if (taken[j] || (best < events.size() && !(events[j].entry < events[best].entry))) continue;
      bool ready = true;
      for (std::size_t i = 0; i < j && ready; ++i) ready = taken[i] || !hb.ordered(i, j);
      if (ready) best = j;
    }
    taken[best] = true;
    const model::Entry& e = events[best].entry;
    for (const std::uint64_t part : {static_cast<std::uint64_t>(e.kind), static_cast<std::uint64_t>(e.task)}) {
      h ^= part + 1;
      h *= 1099511628211ULL;
    }
  }
  return h;
}

namespace {

// `after` less one of each entry in `before`: what arrived in between.
std::vector<model::Entry> arrived(std::vector<model::Entry> after, const std::vector<model::Entry>& before) {
  for (const model::Entry& e : before) {
    const auto at = std::find(after.begin(), after.end(), e);
    if (at != after.end()) after.erase(at);
  }
  return after;
}

}  // namespace

void add_event(std::vector<DporEvent>& events, const model::StepRecord& step, const model::StepRecord* previous,
               bool quiet_finishes) {
  if (previous != nullptr && !events.empty()) {
    for (const model::Entry& e : arrived(step.ready, previous->queue)) events.back().enqueued.push_back(e);
  }
  Footprint fp = footprint_of(step);
  if (quiet_finishes) fp.everything = false;  // only a finish sets it in such a program
  const long now_before = previous == nullptr ? 0 : previous->now;
  DporEvent event{fp.entry, fp, (events.empty() ? 0 : events.back().epoch) + (step.now != now_before ? 1 : 0), -1, {}};
  for (std::size_t i = events.size(); i-- > 0 && event.enabler < 0;) {
    const auto& put = events[i].enqueued;
    if (std::find(put.begin(), put.end(), fp.entry) != put.end()) event.enabler = static_cast<std::ptrdiff_t>(i);
  }
  std::vector<model::Entry> before = step.ready;
  before.erase(before.begin() + step.picked);
  event.enqueued = arrived(step.queue, before);
  events.push_back(std::move(event));
}

bool executable(const std::vector<DporEvent>& v, const std::vector<model::Entry>& ready) {
  std::vector<model::Entry> now = ready;
  for (const DporEvent& e : v) {
    const auto at = std::find(now.begin(), now.end(), e.entry);
    if (at == now.end()) return false;
    now.erase(at);
    now.insert(now.end(), e.enqueued.begin(), e.enqueued.end());
  }
  return true;
}

std::vector<DporEvent> events_of(const std::vector<model::StepRecord>& steps, bool quiet_finishes) {
  std::vector<DporEvent> out;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    add_event(out, steps[i], i == 0 ? nullptr : &steps[i - 1], quiet_finishes);
  }
  return out;
}

}  // namespace lockstep::check
