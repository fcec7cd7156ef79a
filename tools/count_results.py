#!/usr/bin/env python3
"""Counts passed, failed and skipped test cases in a meson JUnit log.

GoogleTest suites contribute one case per TEST; other tests one each. A log
that is missing or does not parse counts one failure, and so does a meson run
that failed while the log shows no failure (a crash cut the log short), so
that a red run can never read as green.

usage: count_results.py JUNIT_XML MESON_EXIT_STATUS
Prints the summary line (tools/summary.py)
  {"summary":"count_results","passed":P,"failed":F,"skipped":S,"skipped_tests":[NAME...]}
"""
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import summary  # noqa: E402


def count(path, meson_status):
    passed = failed = 0
    skipped = []
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"count_results: cannot read {path}: {e}", file=sys.stderr)
        return 0, 1, []
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            name = case.get("name", "?")
            suite = case.get("classname", "")
            skipped.append(f"{suite} / {name}" if suite else name)
        else:
            passed += 1
    if meson_status != 0 and failed == 0:
        failed = 1
    return passed, failed, skipped


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("usage: ")[1].split("\n")[0])
    passed, failed, skipped = count(sys.argv[1], int(sys.argv[2]))
    print(summary.line("count_results", {"passed": passed, "failed": failed, "skipped": len(skipped),
                                         "skipped_tests": skipped}))


if __name__ == "__main__":
    main()
