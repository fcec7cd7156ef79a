#include "io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "args.hpp"

namespace lockstep::tool {

namespace {

std::string reason(int error) { return std::strerror(error); }

std::string hex_byte(unsigned char c) {
  static const char digits[] = "0123456789abcdef";
  return std::string("0x") + digits[c >> 4] + digits[c & 15];
}

// The parser's message without its "line L, column C: " prefix.
std::string bare_message(const model::ParseError& e) {
  const std::string what = e.what();
  const std::string prefix = "line " + std::to_string(e.line()) + ", column " + std::to_string(e.column()) + ": ";
  return what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what;
}

}  // namespace

std::string read_input(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) throw InputError("no such file " + path);
    throw InputError("cannot read " + path + ": " + reason(error));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info{};
  if (::fstat(fd, &info) != 0) throw InputError("cannot read " + path + ": " + reason(errno));
  if (S_ISDIR(info.st_mode)) throw InputError(path + " is a folder, not a file");
  std::string text;
  std::vector<char> buffer(1 << 16);
  while (true) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      throw InputError("cannot read " + path + ": " + reason(errno));
    }
    if (got == 0) break;
    if (text.size() + static_cast<std::size_t>(got) > max_bytes) {
      throw InputError(path + " is larger than " + std::to_string(max_bytes >> 20) +
                       " MiB: not an input lockstep reads");
    }
    text.append(buffer.data(), static_cast<std::size_t>(got));
  }
  std::size_t line = 1, column = 1;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) {
      throw InputError(path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": the control byte " +
                       hex_byte(c) + " (lockstep reads text files)");
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return text;
}

void write_output(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError("cannot write " + path + ": " + reason(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      throw InputError("cannot write " + path + ": " + reason(error));
    }
    done += static_cast<std::size_t>(wrote);
  }
  if (::close(fd) != 0) throw InputError("cannot write " + path + ": " + reason(errno));
}

void check_output_path(const std::string& path, const std::string& flag) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error)) throw InputError(flag + ": " + path + " is a folder, not a file");
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, error)) {
    throw InputError(flag + ": no such folder " + parent.string() + " for " + path);
  }
}

model::Program read_program(const std::string& path) {
  const std::string text = read_input(path, kMaxProgramBytes);
  try {
    return model::parse_program(text);
  } catch (const model::ParseError& e) {
    throw InputError(path + ":" + std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + bare_message(e));
  }
}

std::string located(const std::string& path, const std::string& message, const std::string& prefix) {
  if (message.rfind(prefix, 0) == 0) {
    std::size_t at = prefix.size();
    while (at < message.size() && message[at] >= '0' && message[at] <= '9') ++at;
    if (at > prefix.size() && message.compare(at, 2, ": ") == 0) {
      return path + ":" + message.substr(prefix.size(), at - prefix.size()) + ": " + message.substr(at + 2);
    }
  }
  return path + ": " + message;
}

std::string read_checkpoint(const std::string& path) { return read_input(path, kMaxCheckpointBytes); }

check::Trace read_trace(const std::string& path) {
  const std::string text = read_input(path, kMaxTraceBytes);
  try {
    return check::parse_trace(text);
  } catch (const check::TraceError& e) {
    throw InputError(located(path, e.what(), "trace line "));
  } catch (const model::ParseError& e) {
    throw InputError(path + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw InputError(path + ": not a valid trace: " + e.what());
  } catch (const std::out_of_range& e) {
    throw InputError(path + ": not a valid trace: " + e.what());
  }
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/lockstep-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) {
    throw InputError("cannot make a temporary folder from " + pattern + ": " + reason(errno));
  }
  path_ = name.data();
}

TempDir::~TempDir() { remove(); }

void TempDir::remove() noexcept {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
  path_.clear();
}

}  // namespace lockstep::tool
