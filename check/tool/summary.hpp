// The one machine-readable line a tool ends its output with: a JSON object on
// one line whose first key, "summary", names the tool or command, then the
// fields in the order they were added (so the text is the same on every run
// with the same results). Scripts read this line (tools/summary.py), never
// the prose above it. Strings are escaped for JSON: quote, backslash and
// control bytes, and a byte that is not part of valid UTF-8 becomes U+FFFD.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace lockstep::tool {

// `text` as a JSON string, quotes included.
std::string json_string(std::string_view text);

class SummaryLine {
 public:
  explicit SummaryLine(std::string_view tool);

  SummaryLine& add(std::string_view key, std::string_view value);
  SummaryLine& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  SummaryLine& add(std::string_view key, const std::string& value) { return add(key, std::string_view(value)); }
  SummaryLine& add(std::string_view key, bool value);
  template <std::unsigned_integral T>
    requires(!std::same_as<T, bool>)
  SummaryLine& add(std::string_view key, T value) {
    return raw(key, std::to_string(static_cast<std::uint64_t>(value)));
  }
  // A whole number, or null when there is none.
  SummaryLine& add(std::string_view key, std::optional<std::uint64_t> value);
  SummaryLine& add_null(std::string_view key) { return raw(key, "null"); }
  // Seconds, to the millisecond: a time budget's measure, never a result.
  SummaryLine& add_seconds(std::string_view key, double seconds);

  // The object, without a newline.
  [[nodiscard]] std::string text() const { return body_ + "}"; }
  // Writes the object and a newline, and flushes.
  void print(std::ostream& out) const;

 private:
  SummaryLine& raw(std::string_view key, std::string_view json);
  std::string body_;
};

}  // namespace lockstep::tool
