#!/usr/bin/env python3
"""The machine-readable summary lines of lockstep's tools, read in one place.

Every tool a script reads (the `lockstep` commands, check/tests/hunt.cpp,
tools/main.sh, tools/fuzz.sh, tools/consumers.sh, tools/kill_matrix.py, ...)
ends its output with one line that is a JSON object whose "summary" key names
the tool or command, e.g.
    {"summary":"random","verdict":"pass","program":"...","runs":1000,...}
Scripts read that line, never the prose above it. A script that needs a
summary line and finds none (or finds one of another tool) must fail loudly:
read() raises SummaryError then, which is never a pass.

As a library:
    import summary
    line = summary.read(output_text, "campaign")   # the dict; SummaryError if missing
As a command:
    python3 tools/summary.py get FILE NAME KEY      prints the value of KEY (JSON for non-strings;
                                                    a list one item a line)
    python3 tools/summary.py print NAME KEY=VALUE...  prints a summary line (VALUE: a JSON value,
                                                      else a string), for shell scripts
Exit status 2 (with the reason on stderr) when the line is missing or malformed.
"""
import json
import sys


class SummaryError(Exception):
    """No summary line of the wanted tool, or a malformed one."""


def find(text):
    """The last line of `text` that is a JSON object with a "summary" key, as a dict, or None."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if not (line.startswith("{") and line.endswith("}")):
            continue
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("summary"), str):
            return value
    return None


def read(text, name, required=()):
    """The summary line of tool `name` in `text`: the dict. Raises SummaryError
    if there is none, if the last one names another tool, or if one of the
    `required` keys is missing."""
    value = find(text)
    if value is None:
        raise SummaryError(f"no {name} summary line (a JSON object with \"summary\": \"{name}\") in the output")
    if value["summary"] != name:
        raise SummaryError(f"the last summary line is {value['summary']!r}'s, not {name!r}'s")
    missing = [key for key in required if key not in value]
    if missing:
        raise SummaryError(f"the {name} summary line lacks {', '.join(missing)}")
    return value


def line(tool, fields):
    """A summary line's text: "summary": tool first, then `fields` (a dict) in their order."""
    return json.dumps({"summary": tool, **fields}, separators=(",", ":"), ensure_ascii=False)


def _parse_value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def main(argv):
    if len(argv) == 5 and argv[1] == "get":
        try:
            with open(argv[2], encoding="utf-8", errors="replace") as f:
                value = read(f.read(), argv[3], required=(argv[4],))[argv[4]]
        except (OSError, SummaryError) as e:
            print(f"summary.py: {argv[2]}: {e}", file=sys.stderr)
            return 2
        if isinstance(value, list):
            for item in value:
                print(item if isinstance(item, str) else json.dumps(item))
        else:
            print(value if isinstance(value, str) else json.dumps(value))
        return 0
    if len(argv) >= 3 and argv[1] == "print" and all("=" in a for a in argv[3:]):
        fields = {}
        for assignment in argv[3:]:
            key, _, value = assignment.partition("=")
            fields[key] = _parse_value(value)
        print(line(argv[2], fields), flush=True)
        return 0
    print(__doc__.split("As a command:")[1].strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
