#include "summary.hpp"

#include <cmath>
#include <cstdio>

namespace lockstep::tool {

namespace {

// The length of the valid UTF-8 sequence (above U+007F) starting at text[i], or 0.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0xc2 || c > 0xf4) return 0;
  const std::size_t length = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  if (i + length > text.size()) return 0;
  std::uint32_t code = c & (length == 2 ? 0x1f : length == 3 ? 0x0f : 0x07);
  for (std::size_t j = 1; j < length; ++j) {
    const auto next = static_cast<unsigned char>(text[i + j]);
    if ((next & 0xc0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3f);
  }
  const std::uint32_t smallest = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
  const bool valid = code >= smallest && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
  return valid ? length : 0;
}

void append_escaped(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\r':
      out += "\\r";
      return;
    default:
      break;
  }
  if (c < 0x20 || c == 0x7f) {
    char code[8];
    std::snprintf(code, sizeof code, "\\u%04x", c);
    out += code;
  } else {
    out += static_cast<char>(c);
  }
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      append_escaped(out, c);
      ++i;
      continue;
    }
    const std::size_t length = utf8_length(text, i);
    if (length == 0) {
      out += "\\ufffd";
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out + "\"";
}

SummaryLine::SummaryLine(std::string_view tool) : body_("{") { add("summary", tool); }

SummaryLine& SummaryLine::raw(std::string_view key, std::string_view json) {
  if (body_.size() > 1) body_ += ",";
  body_ += json_string(key);
  body_ += ":";
  body_ += json;
  return *this;
}

SummaryLine& SummaryLine::add(std::string_view key, std::string_view value) { return raw(key, json_string(value)); }

SummaryLine& SummaryLine::add(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }

SummaryLine& SummaryLine::add(std::string_view key, std::optional<std::uint64_t> value) {
  return raw(key, value ? std::to_string(*value) : "null");
}

SummaryLine& SummaryLine::add_seconds(std::string_view key, double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return raw(key, "null");
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", seconds);
  return raw(key, text);
}

void SummaryLine::print(std::ostream& out) const { out << text() << "\n" << std::flush; }

}  // namespace lockstep::tool
