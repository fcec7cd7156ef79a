// Bytes to a program and a schedule, for the program_schedule target.
//
// Layout v3 (every byte string decodes to a valid program; bytes past the end
// read as 0):
//   (fuzz/encode_seed.py writes a program in this layout, for seeds.)
//   byte 0         tasks = 1 + b % 5
//   per task       one byte: ops = 1 + b % 5, then one byte per op
//   op byte        kind = b % 16: acquire, release, try_acquire,
//                  acquire_timeout, scoped, yield, sleep, throw, cancel,
//                  uncancel, spawn, await, gather, try, guard_release, timeout;
//                  a = b / 16 (0..15) is the argument: bit 0 picks lock b for
//                  lock ops; seconds (a / 2) % 4 - 1 for acquire_timeout and
//                  timeout (-1..2),
//                  a % 4 for sleep, negated less one with bit 3 (-1..-4);
//                  an odd a turns throw into raise_cancelled; task 1 + a % tasks for cancel; for
//                  uncancel, even a is the running task's own and odd a is
//                  task 1 + (a / 2) % tasks's; a higher
//                  task for spawn, await and gather (else the op becomes a
//                  yield); scoped, try and timeout take the next byte as
//                  their one-op body; guard_release outside a scoped body
//                  becomes a yield (v2 had a second yield where v3 has timeout)
//   the rest       schedule decisions, one byte each, b % n (BytesSource)
// Ops that would break the program's rules (a task started twice, a task
// awaiting a lower one) decode as yield, so any bytes give a valid program.
// A one-byte change is one changed op or one changed decision, and
// libFuzzer's -minimize_crash shortens the schedule toward fewer delays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

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

inline constexpr int kLayoutVersion = 3;

struct DecodeContext {
  int tasks = 1;
  int self = 1;               // the task being decoded
  std::vector<bool> started;  // by task number: some op already starts it
};

// The task a spawn, gather or await names: one greater than the task being
// decoded (spawn and gather: one no op starts yet). False if there is none.
inline bool decode_task_link(model::Op& op, int a, DecodeContext& ctx) {
  const int span = ctx.tasks - ctx.self;
  if (span <= 0) return false;
  const int t = ctx.self + 1 + a % span;
  const bool starts = op.kind != model::OpKind::await_;
  if (starts && ctx.started[static_cast<std::size_t>(t)]) return false;
  if (op.kind == model::OpKind::gather) {
    op.tasks = {t};
  } else {
    op.arg = t;
  }
  if (starts) ctx.started[static_cast<std::size_t>(t)] = true;
  return true;
}

inline model::Op decode_op(ByteReader& in, DecodeContext& ctx, bool in_scope, int depth) {
  using model::OpKind;
  static constexpr OpKind kKinds[] = {OpKind::acquire, OpKind::release,  OpKind::try_acquire,   OpKind::acquire_timeout,
                                      OpKind::scoped,  OpKind::yield,    OpKind::sleep,         OpKind::throw_,
                                      OpKind::cancel,  OpKind::uncancel, OpKind::spawn,         OpKind::await_,
                                      OpKind::gather,  OpKind::try_,     OpKind::guard_release, OpKind::timeout};
  const std::uint8_t byte = in.next();
  model::Op op;
  op.kind = kKinds[byte % 16];
  const int a = byte / 16;
  if (model::uses_lock(op.kind)) op.lock = a & 1;
  switch (op.kind) {
    case OpKind::acquire_timeout:
      op.arg = (a / 2) % 4 - 1;
      break;
    case OpKind::timeout:
      op.arg = (a / 2) % 4 - 1;
      if (depth >= 2) return model::Op{};
      op.body.push_back(decode_op(in, ctx, in_scope, depth + 1));
      break;
    case OpKind::sleep:  // 0..3, or -1..-4 with bit 3 (a yield, as asyncio.sleep)
      op.arg = (a & 8) != 0 ? -1 - a % 4 : a % 4;
      break;
    case OpKind::throw_:  // odd: a CancelledError of the program's own
      if (a % 2 == 1) op.kind = OpKind::raise_cancelled;
      break;
    case OpKind::cancel:
      op.arg = 1 + a % ctx.tasks;
      break;
    case OpKind::uncancel:  // even: the running task's own; odd: task K's
      op.arg = a % 2 == 0 ? 0 : 1 + (a / 2) % ctx.tasks;
      break;
    case OpKind::spawn:
    case OpKind::gather:
    case OpKind::await_:
      if (!decode_task_link(op, a, ctx)) return model::Op{};
      break;
    case OpKind::scoped:
    case OpKind::try_:
      if (depth >= 2) return model::Op{};
      op.body.push_back(decode_op(in, ctx, in_scope || op.kind == OpKind::scoped, depth + 1));
      break;
    case OpKind::guard_release:
      if (!in_scope) return model::Op{};
      break;
    default:
      break;
  }
  return op;
}

inline Decoded decode(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  Decoded out;
  DecodeContext ctx;
  ctx.tasks = 1 + in.next() % 5;
  ctx.started.assign(static_cast<std::size_t>(ctx.tasks) + 1, false);
  for (int t = 1; t <= ctx.tasks; ++t) {
    ctx.self = t;
    const int ops = 1 + in.next() % 5;
    model::TaskProgram task;
    for (int i = 0; i < ops; ++i) task.ops.push_back(decode_op(in, ctx, false, 1));
    out.program.tasks.push_back(std::move(task));
  }
  out.schedule_offset = in.offset();
  return out;
}

}  // namespace lockstep::fuzz
