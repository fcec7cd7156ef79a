// The lockstep command's files: reading inputs with clear errors, writing
// outputs, and a private temporary folder for worker processes.
//
// Error messages quote paths and input raw; main escapes each message once
// (printable() in args.hpp) before printing it.
#pragma once

#include <cstddef>
#include <string>

#include "lockstep/check/trace.hpp"
#include "lockstep/model/program.hpp"

namespace lockstep::tool {

inline constexpr std::size_t kMaxProgramBytes = 1 << 20;
inline constexpr std::size_t kMaxTraceBytes = 64 << 20;
inline constexpr std::size_t kMaxCheckpointBytes = std::size_t{1} << 30;

// Reads a text file whole. Throws InputError, naming the file, for one that is
// missing or unreadable, a folder, one larger than max_bytes, or one holding a
// control byte other than tab, CR and LF (as FILE:LINE:COLUMN).
std::string read_input(const std::string& path, std::size_t max_bytes);

// Writes (replaces) a file. Throws InputError naming it and the reason.
void write_output(const std::string& path, const std::string& text);

// Before any work: checks that `path` can be written as far as can be known
// without writing it (not a folder; its folder exists). Throws InputError.
void check_output_path(const std::string& path, const std::string& flag);

// Parse errors as FILE:LINE:COLUMN: message (InputError).
model::Program read_program(const std::string& path);
// Trace errors as FILE:LINE: message (InputError).
check::Trace read_trace(const std::string& path);
// A checkpoint file's text, checked as text only (the explorer reads the rest).
std::string read_checkpoint(const std::string& path);
// "FILE:N: rest" for a message "<prefix>N: rest" (like "trace line 3: ..."),
// else "FILE: message".
std::string located(const std::string& path, const std::string& message, const std::string& prefix);

// A fresh folder under $TMPDIR (or /tmp), removed with everything in it when
// the object goes (or at remove()). Not copied; a forked child must leave it to
// the parent (it ends with _exit, which runs no destructors).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }
  void remove() noexcept;

 private:
  std::string path_;
};

}  // namespace lockstep::tool
