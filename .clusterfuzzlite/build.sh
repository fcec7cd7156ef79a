#!/bin/bash -eu
# Builds lockstep's fuzz targets the OSS-Fuzz / ClusterFuzzLite way: the
# builder sets CC, CXX, CFLAGS, CXXFLAGS (sanitizer and coverage flags),
# LIB_FUZZING_ENGINE, SRC, WORK and OUT; meson reads the compilers and flags
# from the environment, and the targets link the engine through the
# fuzzer_ldflags option. Each target goes to $OUT with its seed corpus and
# dictionary.
cd "$SRC/lockstep"
options=(-Dfuzzing=libfuzzer "-Dfuzzer_ldflags=$LIB_FUZZING_ENGINE" -Dtests=false -Dbuildtype=plain
  -Db_lundef=false -Dwerror=false)
if [ -f "$WORK/build/build.ninja" ]; then
  meson configure "$WORK/build" "${options[@]}"
else
  meson setup "$WORK/build" "${options[@]}"
fi
targets="program_schedule trace_parser program_parser checkpoint_reader argument_parser"
ninja -C "$WORK/build" $(for t in $targets; do echo "fuzz/fuzz_$t"; done)
for t in $targets; do
  cp "$WORK/build/fuzz/fuzz_$t" "$OUT/$t"
  (cd "fuzz/corpus/$t" && zip -q -j "$OUT/${t}_seed_corpus.zip" ./*)
  if [ -f "fuzz/$t.dict" ]; then cp "fuzz/$t.dict" "$OUT/$t.dict"; fi
done
