#!/usr/bin/env python3
"""Stopping the lockstep command: signals, deadlines and what they leave.

- SIGINT during `explore` exits 130 with a checkpoint that resumes;
- `--budget` with `--workers` is a deadline for the whole run, and leaves one
  checkpoint that resumes with any worker count, or none;
- SIGTERM to a worker parent alone stops and reaps every worker, and SIGINT to
  the whole process group (Ctrl-C) does too; both exit 128+N, write the
  checkpoint, and leave no temporary folder behind;
- `--split K/N` twice in one folder reads nothing of the first run.

usage: interrupts.py LOCKSTEP_BINARY
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from checklist import Checklist  # noqa: E402  (check/tests/checklist.py)
import summary  # noqa: E402  (tools/summary.py: the commands' summary lines)

# Millions of schedules: no run here finishes it.
BIG = ("task 1: acquire; yield; release; acquire; release\n"
       "task 2: acquire; yield; release; yield\n"
       "task 3: acquire; release; yield; acquire; release\n"
       "task 4: acquire; yield; release\n"
       "task 5: yield; acquire; release\n"
       "task 6: acquire; yield; release\n")

binary = os.path.abspath(sys.argv[1])
CHECKS = Checklist()
check = CHECKS.check


def explored(out):
    """The executions explore's summary line counts (-1 if it has none)."""
    try:
        return summary.read(out, "explore", required=("executions",))["executions"]
    except summary.SummaryError:
        return -1


def children_of(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start(args, folder, tmp, new_group=False):
    env = dict(os.environ, TMPDIR=tmp)
    return subprocess.Popen([binary] + args, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=new_group,
                            # The default actions, whatever the caller ignores.
                            preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT,
                                                                                           signal.SIGTERM)])


def finish(process, timeout=30):
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        return None, out
    return process.returncode, out


with tempfile.TemporaryDirectory(prefix="lockstep-interrupts-") as root:
    folder = os.path.join(root, "work")
    tmp = os.path.join(root, "tmp")
    os.makedirs(folder)
    os.makedirs(tmp)
    with open(os.path.join(folder, "big.prog"), "w") as f:
        f.write(BIG)

    # 1. SIGINT: a checkpoint, exit 130, and the checkpoint resumes.
    p = start(["explore", "big.prog"], folder, tmp)
    time.sleep(1.5)
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    code, out = finish(p)
    took = time.monotonic() - sent
    check(code == 130, "explore: SIGINT exits 130", out)
    check(took < 5, f"explore: SIGINT stops it within 5 s ({took:.1f} s)")
    check("interrupted by SIGINT" in out and "checkpoint written to lockstep-explore.checkpoint" in out,
          "explore: SIGINT reports the checkpoint", out)
    p = start(["explore", "--resume", "lockstep-explore.checkpoint", "--max-executions", "2000"], folder, tmp)
    code, out = finish(p)
    check(code == 0 and explored(out) > 2000 and "--max-executions limit" in out,
          "explore: the interrupted run resumes from its checkpoint", out)
    os.remove(os.path.join(folder, "lockstep-explore.checkpoint"))

    # 2. --budget with --workers: one deadline for the whole run.
    started = time.monotonic()
    p = start(["explore", "big.prog", "--workers", "2", "--budget", "2"], folder, tmp)
    code, out = finish(p)
    took = time.monotonic() - started
    check(code == 0 and "stopped at the --budget limit" in out, "workers: --budget stops the run", out)
    check(took < 6, f"workers: --budget 2 ends within 6 s ({took:.1f} s)")
    check("resume: " in out and "--resume lockstep-explore.checkpoint --workers 2" in out,
          "workers: --budget writes one checkpoint", out)

    before = explored(out)
    for how in (["--workers", "3"], ["--workers", "1"], []):
        p = start(["explore", "--resume", "lockstep-explore.checkpoint", "--budget", "1"] + how, folder, tmp)
        code, out = finish(p)
        now = explored(out)
        check(code == 0 and now > before and "checkpoint written to lockstep-explore.checkpoint" in out,
              f"workers: the checkpoint resumes with {' '.join(how) or 'no workers'} ({before} -> {now} executions)",
              out)
        before = now
    check(not os.listdir(tmp), "workers: no temporary folder left after resuming", str(os.listdir(tmp)))
    os.remove(os.path.join(folder, "lockstep-explore.checkpoint"))

    # 3. SIGTERM to the parent alone, then SIGINT to the group: workers reaped.
    for name, sig, group, status in (("SIGTERM to the parent", signal.SIGTERM, False, 143),
                                     ("SIGINT to the group (Ctrl-C)", signal.SIGINT, True, 130)):
        p = start(["explore", "big.prog", "--workers", "3"], folder, tmp, new_group=group)
        workers = []
        for _ in range(100):
            workers = children_of(p.pid)
            if len(workers) == 3:
                break
            time.sleep(0.05)
        check(len(workers) == 3, f"workers: {name}: three workers started ({len(workers)})")
        time.sleep(1)
        if group:
            os.killpg(p.pid, sig)
        else:
            p.send_signal(sig)
        code, out = finish(p)
        check(code == status, f"workers: {name} exits {status}", out)
        check("interrupted by" in out and "checkpoint written to lockstep-explore.checkpoint" in out,
              f"workers: {name}: the parent writes the workers' checkpoint", out)
        p2 = start(["explore", "--resume", "lockstep-explore.checkpoint", "--max-executions", "100"], folder, tmp)
        code2, out2 = finish(p2)
        check(code2 == 0 and "--max-executions limit" in out2, f"workers: {name}: the checkpoint resumes", out2)
        os.remove(os.path.join(folder, "lockstep-explore.checkpoint"))
        time.sleep(0.2)
        left = [w for w in workers if alive(w)]
        check(not left, f"workers: {name}: no worker left running", str(left))
        check(not os.listdir(tmp), f"workers: {name}: no temporary folder left", str(os.listdir(tmp)))

    # 4. --split beside a stale failure file of an earlier run (what it once
    # read back): each run keeps its own result and leaves nothing behind.
    with open(os.path.join(folder, "small.prog"), "w") as f:
        f.write("task 1: acquire; yield; release\ntask 2: acquire; release\n")
    with open(os.path.join(folder, "lockstep-failure.trace.raw"), "w") as f:
        f.write("a stale file of an earlier run\n")
    for k in (1, 2):
        p = start(["explore", "small.prog", "--split", f"{k}/2"], folder, tmp)
        code, out = finish(p)
        check(code == 0 and f"share {k}/2 complete" in out, f"split {k}/2 passes beside a stale .raw file", out)
    # A share stopped early writes a checkpoint of its share, which resumes.
    p = start(["explore", "big.prog", "--split", "2/3", "--max-executions", "50", "--checkpoint", "share.ckpt"],
              folder, tmp)
    code, out = finish(p)
    check(code == 0 and "checkpoint written to share.ckpt" in out, "split: a share stopped early writes a checkpoint", out)
    with open(os.path.join(folder, "share.ckpt")) as f:
        check("scope: share 2/3\n" in f.read(), "split: the checkpoint names its share")
    p = start(["explore", "--resume", "share.ckpt", "--max-executions", "50", "--checkpoint", "share.ckpt"], folder, tmp)
    code, out = finish(p)
    check(code == 0 and "explored 100 executions" in out, "split: the share's checkpoint resumes", out)
    os.remove(os.path.join(folder, "share.ckpt"))
    check(sorted(os.listdir(folder)) == ["big.prog", "lockstep-failure.trace.raw", "small.prog"],
          "split: no file left in the folder", str(os.listdir(folder)))
    check(not os.listdir(tmp), "no temporary folder left at the end", str(os.listdir(tmp)))

CHECKS.finish()
