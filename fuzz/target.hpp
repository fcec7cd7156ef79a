// The entry point libFuzzer calls with each input (and fuzz/main.cpp calls to
// replay the corpus and the stored crashes without libFuzzer). Declared once,
// here, for every target.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
