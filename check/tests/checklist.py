"""The check list the script tests share: one line per check ("ok: ..." or
"FAILED: ..." with the end of what went wrong), then "N passed, N failed" and
the exit status (1 if any failed)."""
import sys


class Checklist:
    def __init__(self):
        self.checks = 0
        self.failures = 0

    def check(self, ok, what, detail=""):
        self.checks += 1
        print(("ok: " if ok else "FAILED: ") + what)
        if not ok:
            self.failures += 1
            if detail:
                print("    " + detail.replace("\n", "\n    ")[-2000:])
        return ok

    def finish(self):
        print(f"{self.checks - self.failures} passed, {self.failures} failed")
        sys.exit(1 if self.failures else 0)
