// Text helpers of the command: escaping for the terminal, and the edit
// distance behind "did you mean".
#include <algorithm>
#include <cstdint>
#include <vector>

#include "args.hpp"

namespace lockstep::tool {

std::string printable(std::string_view text) {
  std::string out;
  const auto hex = [&out](unsigned char c) {
    static const char digits[] = "0123456789abcdef";
    out += "\\x";
    out += digits[c >> 4];
    out += digits[c & 15];
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else if (c >= 0xc2 && c <= 0xf4) {
      // A whole, valid UTF-8 sequence for a code point above U+009F passes.
      const std::size_t length = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      bool valid = i + length <= text.size();
      std::uint32_t code = c & (length == 2 ? 0x1f : length == 3 ? 0x0f : 0x07);
      for (std::size_t j = 1; valid && j < length; ++j) {
        const auto next = static_cast<unsigned char>(text[i + j]);
        valid = (next & 0xc0) == 0x80;
        code = (code << 6) | (next & 0x3f);
      }
      const std::uint32_t smallest = length == 2 ? 0xa0 : length == 3 ? 0x800 : 0x10000;
      valid = valid && code >= smallest && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      if (valid) {
        out.append(text.substr(i, length));
        i += length;
        continue;
      }
      hex(c);
    } else {
      hex(c);
    }
    ++i;
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment over three rows.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace lockstep::tool
