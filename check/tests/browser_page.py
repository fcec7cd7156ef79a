#!/usr/bin/env python3
"""`lockstep show --html` in a real browser: Debian's chromium, headless.

For a failing trace of a mutant (check/traces/lost_wakeup.trace: mutant 07,
release-wakes-nobody, on check/programs/mixed.prog) the test renders the page
and reads the DOM after the page's script ran (--dump-dom): one lane per task,
the failing step marked, the broken invariant named, the stuck tasks marked,
and the arrow keys moving the cursor (the page's #selftest mode sends them).
A trace whose verdict message says </script> and quotes must not break the
page. Then it takes a screenshot and checks it is a PNG of the window's size
whose pixels hold the lane colours (holds, waits, the failing step, stuck).

usage: browser_page.py LOCKSTEP SOURCE_ROOT [--write-docs DIR]
  --write-docs DIR: also store the screenshot as DIR/timeline.png and the SVG
  as DIR/timeline.svg (python3 check/tests/browser_page.py
  build/gcc/check/lockstep . --write-docs docs)
Exits 77 (meson's "skipped") with a message if chromium is not installed.
"""
import html
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

WIDTH, HEIGHT = 1400, 820
COLOURS = {  # what must be in the screenshot's pixels: colour, how near (per channel), at least how many
    "hold (blue bar)": ((0x3A, 0x7B, 0xD5), 0, 300),
    "wait (yellow hatching, antialiased)": ((0xD9, 0xA4, 0x00), 40, 300),
    "failing step (red frame)": ((0xD6, 0x28, 0x28), 0, 300),
    "stuck (purple)": ((0x7A, 0x1F, 0x7A), 0, 300),
    "lane background": ((0xF3, 0xF6, 0xFA), 0, 5000),
}


def chromium(*args):
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--force-device-scale-factor=1", f"--window-size={WIDTH},{HEIGHT}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"chromium failed ({result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


def summary(dom):
    match = re.search(r'<div id="summary"([^>]*)>', dom)
    if not match:
        sys.exit("no #summary in the DOM: the page's script did not run")
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', match.group(1)))


def element_text(dom, element_id):
    match = re.search(r'<div id="' + element_id + r'"[^>]*>(.*?)</div>', dom, re.S)
    return html.unescape(match.group(1)) if match else None


def expect(condition, message):
    if not condition:
        print("FAILED:", message)
        global failures
        failures += 1
    else:
        print("ok:", message)


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour = header[:4]
    if depth != 8 or colour not in (2, 6):
        sys.exit(f"{path}: unexpected PNG depth {depth} colour type {colour}")
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1: line[i] = (line[i] + a) & 255
            elif kind == 2: line[i] = (line[i] + b) & 255
            elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def check_page(lockstep, trace, scratch):
    page = os.path.join(scratch, "page.html")
    subprocess.run([lockstep, "show", trace, "--html", page], check=True, capture_output=True)
    tasks = len(re.findall(r"^  task \d+:", open(trace).read(), re.M))
    dom = chromium("--dump-dom", "file://" + page)
    s = summary(dom)
    expect(s.get("lanes") == str(tasks), f"one lane per task ({s.get('lanes')} lanes, {tasks} tasks)")
    expect(s.get("failing") == "7", f"the failing step is marked (step {s.get('failing')})")
    expect(s.get("invariant") == "lost-wakeup", f"the invariant is named ({s.get('invariant')})")
    expect("broken invariant: lost-wakeup: after step 7" in (element_text(dom, "invariant") or ""),
           "the broken invariant's message is on the page")
    expect(len(re.findall(r'class="mark stuck"', dom)) == 2, "both stuck tasks are marked")
    expect('class="mark timeout"' in dom and 'class="mark cancelled"' in dom, "the timeout and the cancellation are marked")
    expect("acquire_timeout a timeout" in dom, "the step's operations are written on the lane")
    dom = chromium("--dump-dom", "file://" + page + "#selftest")
    expect(summary(dom).get("selftest") == "7 6 5 6 1 7 time steps",
           f"the arrow keys move the cursor and t switches the axis ({summary(dom).get('selftest')})")
    return page


def check_escaping(lockstep, trace, scratch):
    hostile = "</script><script>document.title='pwned'</script>\"' & <b>"
    text = re.sub(r"^verdict: .*$", "verdict: lost-wakeup: " + hostile, open(trace).read(), flags=re.M)
    path = os.path.join(scratch, "hostile.trace")
    open(path, "w").write(text)
    page = os.path.join(scratch, "hostile.html")
    subprocess.run([lockstep, "show", path, "--html", page], check=True, capture_output=True)
    dom = chromium("--dump-dom", "file://" + page)
    expect(summary(dom).get("lanes") == "4", "a message saying </script> does not break the page")
    expect(hostile in (element_text(dom, "invariant") or ""), "the message is shown as text, quotes and all")
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    expect(title and "pwned" not in title.group(1), "the message runs no script")


def check_screenshot(page, scratch):
    shot = os.path.join(scratch, "timeline.png")
    chromium("--screenshot=" + shot, "file://" + page)
    width, height, rows = png_pixels(shot)
    expect((width, height) == (WIDTH, HEIGHT), f"the screenshot is {WIDTH}x{HEIGHT} ({width}x{height})")
    counts = {}
    for row in rows:
        for pixel in row:
            counts[pixel] = counts.get(pixel, 0) + 1
    for name, (rgb, near, least) in COLOURS.items():
        n = sum(k for pixel, k in counts.items() if all(abs(p - q) <= near for p, q in zip(pixel, rgb)))
        expect(n >= least, f"{name} is drawn ({n} pixels, at least {least})")
    return shot


def main():
    global CHROMIUM, failures
    failures = 0
    lockstep, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    docs = sys.argv[sys.argv.index("--write-docs") + 1] if "--write-docs" in sys.argv else None
    CHROMIUM = shutil.which("chromium")
    if CHROMIUM is None:
        print("SKIPPED: Debian's chromium is not installed (tools/setup.sh installs it: apt-get install chromium)")
        sys.exit(77)
    trace = os.path.join(root, "check/traces/lost_wakeup.trace")
    with tempfile.TemporaryDirectory() as scratch:
        page = check_page(lockstep, trace, scratch)
        check_escaping(lockstep, trace, scratch)
        shot = check_screenshot(page, scratch)
        if docs and failures == 0:
            shutil.copy(shot, os.path.join(docs, "timeline.png"))
            subprocess.run([lockstep, "show", trace, "--svg", os.path.join(docs, "timeline.svg")], check=True,
                           capture_output=True)
            print(f"wrote {docs}/timeline.png and {docs}/timeline.svg")
    print(f"{failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
