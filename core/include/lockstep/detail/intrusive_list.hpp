// A doubly linked FIFO of nodes that live elsewhere (in coroutine frames), so
// that linking and unlinking never allocate.
#pragma once

#include <cassert>
#include <cstddef>

namespace lockstep::detail {

class ListNode {
 public:
  ListNode() = default;
  ListNode(const ListNode&) = delete;
  ListNode& operator=(const ListNode&) = delete;

  [[nodiscard]] bool linked() const noexcept { return linked_; }

 private:
  template <class>
  friend class IntrusiveList;
  // Meaningful only while linked_: push_back writes both, so that making a
  // node (a lock waiter on every acquire(), taken or not) stores only linked_.
  ListNode* prev_;
  ListNode* next_;
  bool linked_ = false;
};

// T derives from ListNode. The list never owns its nodes.
template <class T>
class IntrusiveList {
 public:
  IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] T* front() const noexcept { return static_cast<T*>(head_); }
  [[nodiscard]] T* back() const noexcept { return static_cast<T*>(tail_); }
  [[nodiscard]] static T* next(const T& node) noexcept {
    return static_cast<T*>(static_cast<const ListNode&>(node).next_);
  }

  void push_back(T& item) noexcept {
    ListNode& node = item;
    assert(!node.linked_);
    node.prev_ = tail_;
    node.next_ = nullptr;
    node.linked_ = true;
    (tail_ ? tail_->next_ : head_) = &node;
    tail_ = &node;
    ++size_;
  }

  void unlink(T& item) noexcept {
    ListNode& node = item;
    assert(node.linked_);
    (node.prev_ ? node.prev_->next_ : head_) = node.next_;
    (node.next_ ? node.next_->prev_ : tail_) = node.prev_;
    node.prev_ = node.next_ = nullptr;
    node.linked_ = false;
    --size_;
  }

 private:
  ListNode* head_ = nullptr;
  ListNode* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace lockstep::detail
