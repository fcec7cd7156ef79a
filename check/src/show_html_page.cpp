#include "show_html_page.hpp"

namespace lockstep::check::detail {

const std::string_view kPageHead = R"PAGE(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
)PAGE";

const std::string_view kPageStyle = R"PAGE(<style>
body { font: 13px "DejaVu Sans Mono", monospace; margin: 12px; color: #111; background: #fff; }
h1 { font-size: 15px; margin: 0 0 4px 0; }
#invariant { color: #d62828; white-space: pre-wrap; margin: 0 0 6px 0; }
#controls { margin: 4px 0 8px 0; color: #444; }
#controls button { font: inherit; }
#picture { overflow-x: auto; border: 1px solid #ccc; }
#picture svg text { font: 11px "DejaVu Sans Mono", monospace; }
#panel { display: grid; grid-template-columns: repeat(3, minmax(200px, 1fr)); gap: 4px 16px; margin-top: 8px; }
#panel h2 { font-size: 13px; margin: 4px 0 2px 0; color: #1d3557; }
#panel ul { margin: 0; padding-left: 16px; }
#panel .picked { font-weight: bold; color: #3a7bd5; }
#step-title { grid-column: 1 / -1; font-weight: bold; }
#program { margin-top: 8px; color: #333; white-space: pre; }
#summary { margin-top: 6px; color: #666; }
.legend span { display: inline-block; margin-right: 14px; }
.swatch { display: inline-block; width: 14px; height: 10px; vertical-align: middle; margin-right: 4px; }
</style>
)PAGE";

const std::string_view kPageBody = R"PAGE(<h1 id="title"></h1>
<div id="invariant"></div>
<div id="controls"><button id="mode" type="button"></button>
 &#8592;/&#8594;: previous/next step, Home/End: first/last, t: switch the axis, click a column to jump</div>
<div id="picture"></div>
<div class="legend"><span><i class="swatch" style="background:#3a7bd5"></i>holds a lock (outlined notch: within one step)</span><span><i class="swatch" style="background:#f2c14e"></i>waits for it</span><span><i class="swatch" style="background:#2a9d3a"></i>a release wakes that waiter</span><span>T timeout</span><span>C cancelled</span><span>X exception</span><span><i class="swatch" style="background:#7a1f7a"></i>stuck at the end</span><span>~op: suspended at op</span></div>
<div id="panel"></div>
<div id="program"></div>
<div id="summary"></div>
)PAGE";

const std::string_view kPageScript = R"PAGE("use strict";
const data = JSON.parse(document.getElementById("trace-data").textContent);
const NS = "http://www.w3.org/2000/svg";
const LOCKS = "abc", CH = 6.7, LINE = 13, MAXL = 6, BAR = 12, LEFT = 64, STUCK = 130;
const HOLD = "#3a7bd5", FAIL = "#d62828", WAKE = "#2a9d3a";
const state = { mode: "time", cursor: data.failing >= 0 ? data.failing : 0 };

function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }
function el(tag, attrs, parent, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}
function html(tag, parent, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  parent.appendChild(node);
  return node;
}

// Columns per step, wider for longer labels; in time mode a gap where the clock jumps.
function layout() {
  const l = { x: [], w: [], gap: [], top: 24 };
  let lines = 1;
  for (const s of data.steps) lines = Math.max(lines, Math.min(s.labels.length, MAXL));
  l.lane = 12 + LINE * lines + BAR * data.locks + 8;
  let x = LEFT;
  data.steps.forEach((s, i) => {
    const longest = Math.max(4, ...s.labels.map((t) => t.length));
    const jump = i === 0 ? 0 : s.now - data.steps[i - 1].now;
    const gap = state.mode === "time" && jump > 0 ? clamp(jump * 20, 36, 160) : 0;
    const w = clamp(Math.floor(longest * CH) + 30, 60, 340);
    x += gap; l.gap.push(gap); l.x.push(x); l.w.push(w); x += w;
  });
  l.right = x;
  l.laneY = (t) => l.top + l.lane * (t - 1);
  l.barY = (t, lock) => l.laneY(t) + l.lane - 6 - BAR * (data.locks - lock);
  l.end = (i) => l.x[i] + l.w[i];
  l.width = Math.max(l.right + STUCK + 10, 900);
  l.height = l.top + l.lane * data.tasks + 40;
  return l;
}

function drawLanes(svg, l) {
  for (let t = 1; t <= data.tasks; t++) {
    const g = el("g", { class: "lane", "data-task": t }, svg);
    el("rect", { x: 0, y: l.laneY(t), width: l.width, height: l.lane, fill: t % 2 ? "#f3f6fa" : "#ffffff" }, g);
    el("text", { x: 8, y: l.laneY(t) + 16, "font-weight": "bold", style: "font-size:13px" }, g, "t" + t);
  }
  if (data.failing < 0) return;
  const f = data.failing, g = el("g", { class: "failing", "data-step": f + 1 }, svg);
  el("rect", { x: l.x[f], y: l.top - 4, width: l.w[f], height: l.lane * data.tasks + 8, fill: "#fde2e2",
    "fill-opacity": 0.8, stroke: FAIL, "stroke-width": 2 }, g);
  el("text", { x: l.x[f] + 2, y: l.top - 7, fill: FAIL, "font-weight": "bold" }, g, "failing step " + (f + 1));
}

function drawAxis(svg, l) {
  const y = l.top + l.lane * data.tasks + 14;
  el("text", { x: 8, y: y, fill: "#666" }, svg, "step");
  el("text", { x: 8, y: y + 14, fill: "#666" }, svg, "time");
  data.steps.forEach((s, i) => {
    el("text", { x: l.x[i] + 3, y: y, fill: "#666" }, svg, String(i + 1));
    if (i === 0 || s.now !== data.steps[i - 1].now) el("text", { x: l.x[i] + 3, y: y + 14, fill: "#1d3557" }, svg, "@" + s.now + "s");
    if (l.gap[i] > 0) {
      const gx = l.x[i] - l.gap[i];
      el("rect", { x: gx, y: l.top, width: l.gap[i], height: l.lane * data.tasks, fill: "#eef", "fill-opacity": 0.5,
        stroke: "#99c", "stroke-dasharray": "3,3" }, svg);
      el("text", { x: gx + 3, y: y + 14, fill: "#1d3557" }, svg, "+" + (s.now - data.steps[i - 1].now) + "s");
    }
  });
}

function drawSpans(svg, l) {
  for (const s of data.spans) {
    const y = l.barY(s.task, s.lock), lock = LOCKS[s.lock];
    const g = el("g", { class: s.holds ? (s.instant ? "hold instant" : "hold") : "wait" }, svg);
    if (s.instant) {
      el("rect", { x: l.end(s.first) - 14, y: y - 2, width: 10, height: BAR + 2, fill: HOLD, stroke: "#000" }, g);
      el("title", {}, g, "holds " + lock + " within step " + (s.first + 1));
      continue;
    }
    const n = s.last + 1, x0 = l.x[s.first], x1 = n < l.x.length ? l.x[n] + l.w[n] / 2 : l.end(s.last);
    el("rect", { x: x0, y: y, width: x1 - x0, height: BAR - 2, fill: s.holds ? HOLD : "url(#wait)" }, g);
    if (!s.holds) el("rect", { x: x0 + 1, y: y + 1, width: 46, height: 8, fill: "#fff7e0" }, g);
    el("text", { x: x0 + 3, y: y + 8, fill: s.holds ? "#fff" : "#6b4a00", style: "font-size:9px" }, g,
      (s.holds ? "holds " : "waits ") + lock);
  }
}

function drawLabels(svg, l) {
  data.steps.forEach((s, i) => {
    const g = el("g", { class: "step", "data-step": i + 1 }, svg);
    el("line", { x1: l.x[i], y1: l.laneY(s.lane) + 2, x2: l.x[i], y2: l.laneY(s.lane) + l.lane - 2, stroke: "#999" }, g);
    s.labels.slice(0, MAXL).forEach((text, k) => {
      if (k === MAXL - 1 && s.labels.length > MAXL) text = "+" + (s.labels.length - k) + " more";
      const color = s.callback ? "#777" : text[0] === "~" ? "#8a5a00" : "#111";
      el("text", { x: l.x[i] + 4, y: l.laneY(s.lane) + 14 + LINE * k, fill: color }, g, text);
    });
    const hit = el("rect", { x: l.x[i], y: l.top, width: l.w[i], height: l.lane * data.tasks, fill: "transparent" }, svg);
    hit.addEventListener("click", () => { state.cursor = i; update(); });
  });
}

function drawWakes(svg, l) {
  for (const w of data.wakes) {
    const x0 = l.end(w.step) - 6, y0 = l.barY(w.from, w.lock) + 4;
    const x1 = w.resumes >= 0 ? l.x[w.resumes] + 6 : l.end(w.step) - 2, y1 = l.barY(w.to, w.lock) + 4, mx = (x0 + x1) / 2;
    const p = el("path", { class: "wake", d: `M${x0},${y0} C${mx},${y0} ${mx},${y1} ${x1},${y1}`, fill: "none", stroke: WAKE,
      "stroke-width": 2, "marker-end": "url(#arrow)" }, svg);
    el("title", {}, p, `t${w.from} wakes t${w.to} (lock ${LOCKS[w.lock]})`);
  }
}

function drawMark(svg, m, x, y) {
  const g = el("g", { class: "mark " + m.kind, "data-step": m.step + 1, "data-task": m.task }, svg);
  el("title", {}, g, m.text);
  if (m.kind === "stuck") {
    el("rect", { x: x, y: y - 9, width: STUCK - 10, height: 16, fill: "#7a1f7a" }, g);
    el("text", { x: x + 4, y: y + 3, fill: "#fff" }, g, m.text);
    return;
  }
  const look = { timeout: ["#f4a261", "#111", "T"], cancelled: ["#fff", FAIL, "C"], exception: [FAIL, "#fff", "X"] }[m.kind];
  if (m.kind === "cancelled") el("circle", { cx: x, cy: y, r: 7, fill: look[0], stroke: FAIL, "stroke-width": 2 }, g);
  else el("rect", { x: x - 7, y: y - 7, width: 14, height: 14, fill: look[0], stroke: m.kind === "timeout" ? "#b35c00" : FAIL }, g);
  el("text", { x: x - 3, y: y + 4, fill: look[1], "font-weight": "bold" }, g, look[2]);
}

function drawMarks(svg, l) {
  const used = {};
  for (const m of data.marks) {
    if (m.kind === "stuck") { drawMark(svg, m, l.right + 8, l.laneY(m.task) + 14); continue; }
    const key = m.step + "/" + m.task, n = used[key] || 0;
    used[key] = n + 1;
    drawMark(svg, m, l.end(m.step) - 10 - 18 * n, l.laneY(m.task) + l.lane - 14 - BAR * data.locks);
  }
}

function defs(svg) {
  const d = el("defs", {}, svg);
  const p = el("pattern", { id: "wait", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, d);
  el("rect", { width: 6, height: 6, fill: "#fff7e0" }, p);
  el("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#d9a400", "stroke-width": 2 }, p);
  const m = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" }, d);
  el("path", { d: "M0,0 L10,5 L0,10 z", fill: WAKE }, m);
}

function draw() {
  const l = layout(), box = document.getElementById("picture");
  box.textContent = "";
  const svg = el("svg", { width: l.width, height: l.height, id: "timeline" }, box);
  defs(svg);
  drawLanes(svg, l); drawAxis(svg, l); drawSpans(svg, l); drawLabels(svg, l); drawWakes(svg, l); drawMarks(svg, l);
  state.layout = l;
  state.cursorRect = el("rect", { id: "cursor", y: l.top - 2, height: l.lane * data.tasks + 4, fill: "none",
    stroke: "#1d3557", "stroke-width": 3, "stroke-dasharray": "6,3" }, svg);
  document.getElementById("mode").textContent = "axis: " + (state.mode === "time" ? "virtual time" : "steps") + " (t)";
  update();
}

function list(parent, title, items, picked) {
  const box = html("div", parent);
  html("h2", box, title);
  const ul = html("ul", box);
  if (items.length === 0) html("li", ul, "-");
  items.forEach((item, k) => html("li", ul, item, k === picked ? "picked" : undefined));
}

function update() {
  if (data.steps.length === 0) return;
  const i = state.cursor, s = data.steps[i], l = state.layout, panel = document.getElementById("panel");
  state.cursorRect.setAttribute("x", l.x[i] - 2);
  state.cursorRect.setAttribute("width", l.w[i] + 4);
  panel.textContent = "";
  const ran = s.ready[s.picked];
  html("div", panel, `step ${i + 1} of ${data.steps.length} @${s.now}s: ${ran} runs (picked #${s.picked})` +
    (i === data.failing ? "  <- the failing step" : ""), undefined).id = "step-title";
  list(panel, "events", s.events);
  list(panel, "ready before the pick", s.ready, s.picked);
  list(panel, "queue after", s.queue);
  list(panel, "tasks after", s.tasks);
  list(panel, "locks after", s.locks);
  list(panel, "timers after", s.timers);
  const box = document.getElementById("picture");
  if (l.x[i] < box.scrollLeft || l.end(i) > box.scrollLeft + box.clientWidth) box.scrollLeft = Math.max(0, l.x[i] - 80);
}

function summary() {
  const lanes = document.querySelectorAll("#timeline .lane").length;
  const failing = document.querySelector("#timeline .failing");
  const node = document.getElementById("summary");
  node.dataset.lanes = lanes;
  node.dataset.steps = document.querySelectorAll("#timeline .step").length;
  node.dataset.failing = failing ? failing.dataset.step : "none";
  node.dataset.invariant = data.verdict;
  node.dataset.marks = document.querySelectorAll("#timeline .mark").length;
  node.dataset.wakes = document.querySelectorAll("#timeline .wake").length;
  node.textContent = `drawn: ${lanes} lanes, ${node.dataset.steps} steps, failing step ${node.dataset.failing}, ` +
    `invariant ${data.verdict}, ${node.dataset.marks} marks, ${node.dataset.wakes} wake-ups`;
}

document.getElementById("title").textContent =
  `${data.strategy}: ${data.verdict} (${data.steps.length} steps, ${data.tasks} tasks)`;
document.getElementById("invariant").textContent =
  data.verdict === "pass" ? "" : "broken invariant: " + data.verdict + ": " + data.message;
document.getElementById("program").textContent = data.program.map((p, k) => `task ${k + 1}: ${p}`).join("\n");
document.getElementById("mode").addEventListener("click", () => { state.mode = state.mode === "time" ? "steps" : "time"; draw(); });
document.addEventListener("keydown", (e) => {
  const last = data.steps.length - 1;
  if (e.key === "ArrowRight") state.cursor = Math.min(last, state.cursor + 1);
  else if (e.key === "ArrowLeft") state.cursor = Math.max(0, state.cursor - 1);
  else if (e.key === "Home") state.cursor = 0;
  else if (e.key === "End") state.cursor = Math.max(0, last);
  else if (e.key === "t") { state.mode = state.mode === "time" ? "steps" : "time"; draw(); return; }
  else return;
  e.preventDefault();
  update();
});
// #selftest: the keys a reader would press, through the same listener; what the
// panel and the axis button then say goes into #summary's data-selftest.
function selftest() {
  const seen = [];
  const stepShown = () => document.getElementById("step-title").textContent.split(" ")[1];
  const modeShown = () => (document.getElementById("mode").textContent.includes("virtual time") ? "time" : "steps");
  for (const key of ["ArrowRight", "ArrowLeft", "ArrowLeft", "ArrowRight", "Home", "End"]) {
    document.dispatchEvent(new KeyboardEvent("keydown", { key: key }));
    seen.push(stepShown());
  }
  seen.push(modeShown());
  document.dispatchEvent(new KeyboardEvent("keydown", { key: "t" }));
  seen.push(modeShown());
  document.getElementById("summary").dataset.selftest = seen.join(" ");
}
draw();
summary();
if (location.hash === "#selftest") selftest();
)PAGE";

}  // namespace lockstep::check::detail
