// Fuzz target 5: the lockstep command's argument parser. The input is the
// command line, its words separated by NUL bytes. A Usage error is the only
// acceptable failure; whatever parses must read back through the typed
// accessors (every flag given, and every default), and the usage text and an
// error's escaped message must be printable.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "args.hpp"
#include "target.hpp"

using namespace lockstep::tool;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      words.push_back(word);
      word.clear();
    } else {
      word += static_cast<char>(data[i]);
    }
  }
  if (size != 0) words.push_back(word);
  try {
    const Args args = parse_args(words);
    if (args.spec != nullptr) {
      for (const FlagSpec& f : args.spec->flags) {
        if (!args.has(f.name) && f.fallback.empty()) continue;
        switch (f.kind) {
          case FlagKind::whole: {
            const std::uint64_t v = args.whole(f.name);
            if (v < f.min || v > f.max) std::abort();
            break;
          }
          case FlagKind::seconds: {
            const double v = args.seconds(f.name);
            if (!(v > 0 && v <= kMaxSeconds)) std::abort();
            break;
          }
          case FlagKind::text:
          case FlagKind::path:
            if (args.text(f.name).empty()) std::abort();
            break;
          case FlagKind::boolean:
            (void)args.flag(f.name);
            break;
          case FlagKind::split: {
            const Split s = args.split(f.name);
            if (s.k < 1 || s.k > s.n || s.n > kMaxSplit) std::abort();
            break;
          }
        }
      }
      (void)synopsis(*args.spec);
    }
    for (const char c : printable(usage_text(args.spec))) {
      if (static_cast<unsigned char>(c) < 0x20) std::abort();
    }
  } catch (const Usage& e) {
    for (const char c : printable(e.what())) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
    }
  }
  return 0;
}
