// Bytes to a program and a schedule, for the program_schedule target.
//
// Layout (every byte string decodes to a valid program; bytes past the end
// read as 0):
//   byte 0         tasks = 1 + b % 4
//   per task       one byte: ops = 1 + b % 5, then one byte per op
//   op byte        kind = b % 9 (acquire, release, try_acquire,
//                  acquire_timeout, scoped, yield, sleep, throw, cancel),
//                  argument = b / 16: seconds % 4 for sleep and timeouts,
//                  1 + argument % tasks for cancel; scoped takes the next
//                  byte as its one-op body (anything but release and scoped)
//   the rest       schedule decisions, one byte each, b % n (BytesSource)
// So a one-byte change is one changed op or one changed decision, and
// libFuzzer's -minimize_crash shortens the schedule toward no preemptions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lockstep/model/program.hpp"

namespace lockstep::fuzz {

struct Decoded {
  model::Program program;
  std::size_t schedule_offset = 0;  // where the decisions start
};

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t next() { return at_ < size_ ? data_[at_++] : (++at_, 0); }
  [[nodiscard]] std::size_t offset() const { return at_ < size_ ? at_ : size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

inline model::Op decode_op(ByteReader& in, int tasks, bool in_body) {
  using model::OpKind;
  static constexpr OpKind kKinds[] = {OpKind::acquire, OpKind::release, OpKind::try_acquire,
                                      OpKind::acquire_timeout, OpKind::scoped, OpKind::yield,
                                      OpKind::sleep, OpKind::throw_, OpKind::cancel};
  const std::uint8_t byte = in.next();
  model::Op op;
  op.kind = kKinds[byte % 9];
  const int argument = byte / 16;
  if (in_body && (op.kind == OpKind::scoped || op.kind == OpKind::release)) op.kind = OpKind::yield;
  switch (op.kind) {
    case OpKind::sleep:
    case OpKind::acquire_timeout:
      op.arg = argument % 4;
      break;
    case OpKind::cancel:
      op.arg = 1 + argument % tasks;
      break;
    case OpKind::scoped:
      op.body.push_back(decode_op(in, tasks, true));
      break;
    default:
      break;
  }
  return op;
}

inline Decoded decode(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  Decoded out;
  const int tasks = 1 + in.next() % 4;
  for (int t = 0; t < tasks; ++t) {
    const int ops = 1 + in.next() % 5;
    model::TaskProgram task;
    for (int i = 0; i < ops; ++i) task.ops.push_back(decode_op(in, tasks, false));
    out.program.tasks.push_back(std::move(task));
  }
  out.schedule_offset = in.offset();
  return out;
}

}  // namespace lockstep::fuzz
