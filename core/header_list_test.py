#!/usr/bin/env python3
"""Fails if a header under INCLUDE_DIR is not in the header list of the
meson.build that owns it (core's public_headers, model_headers, check_headers),
so the headers suite would not compile it on its own.
usage: header_list_test.py INCLUDE_DIR HEADER..."""
import os
import sys

root = sys.argv[1]
found = sorted(os.path.relpath(os.path.join(d, f), root)
               for d, _, files in os.walk(root) for f in files if f.endswith(".hpp"))
missing = sorted(set(found) - set(sys.argv[2:]))
stale = sorted(set(sys.argv[2:]) - set(found))
if missing or stale:
    sys.exit(root + ": the meson.build header list misses " + (", ".join(missing) or "none")
             + "; not a header " + (", ".join(stale) or "none"))
print(len(found), "headers under", root + ", each compiled on its own by the headers suite")
