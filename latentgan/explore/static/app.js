// The explorer page: plain JavaScript over the JSON endpoints of latentgan/explore/app.py.
// One "current code" feeds every panel; codes travel as the exact numbers the server sent.
"use strict";

const state = {
  info: null, axes: null, current: null, a: null, b: null,
  setA: [], setB: [], c: null, testOffset: 0, testPage: 48,
  walk: { principal: [], coordinate: 0, blocks: [] },
};
window.explorerState = state; // read by the browser test and handy in the console

const $ = (id) => document.getElementById(id);
const latest = {}; // request kind -> sequence number, so a slow old answer never overwrites a newer one

async function api(path, body, options = {}) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": options.type || "application/json" },
    body: options.type ? body : JSON.stringify(body),
  };
  const response = await fetch(path, init);
  let payload = null;
  try { payload = await response.json(); } catch (e) { payload = null; }
  if (!response.ok) {
    const detail = payload && payload.detail ? payload.detail : `${response.status} ${response.statusText}`;
    throw new Error(detail);
  }
  return payload;
}

// Run `work` for a request kind; drop its result when a newer request of that kind was started meanwhile.
async function fresh(kind, work, onError) {
  const seq = (latest[kind] || 0) + 1;
  latest[kind] = seq;
  try {
    const result = await work();
    if (latest[kind] !== seq) return null;
    showStatus(""); // an answer came: an earlier error line no longer describes the page
    return result;
  } catch (e) {
    if (latest[kind] === seq) (onError || showStatus)(e.message);
    return null;
  }
}

function showStatus(message) { $("status").textContent = message || ""; }

function image(url, alt, onClick) {
  const img = document.createElement("img");
  img.src = url;
  img.alt = alt;
  if (onClick) img.addEventListener("click", onClick);
  return img;
}

function refOf(item, source) {
  return { code: item.code, y: item.y, image: item.image, source };
}

// --- the current code ------------------------------------------------------------------------------

function setCurrent(item) {
  state.current = item;
  $("current-image").src = item.image;
  $("current-source").textContent = item.source;
  for (const id of ["to-a", "to-b", "to-set-a", "to-set-b", "to-c"]) $(id).disabled = false;
  startWalk(item);
  if (state.info.conditional) showConditional();
}

function wireCurrentButtons() {
  $("to-a").addEventListener("click", () => { state.a = state.current; $("interp-a").src = state.a.image; interpolate(); });
  $("to-b").addEventListener("click", () => { state.b = state.current; $("interp-b").src = state.b.image; interpolate(); });
  $("to-set-a").addEventListener("click", () => { state.setA.push(state.current); drawSets(); });
  $("to-set-b").addEventListener("click", () => { state.setB.push(state.current); drawSets(); });
  $("to-c").addEventListener("click", () => { state.c = state.current; $("arith-c-pick").src = state.c.image; drawSets(); });
}

// --- samples ---------------------------------------------------------------------------------------

async function loadSamples() {
  const seed = Number($("sample-seed").value) || 0;
  const data = await fresh("samples", () => api(`/api/samples?n=16&seed=${seed}`));
  if (!data) return;
  const box = $("samples");
  box.replaceChildren(...data.items.map((item, i) =>
    image(item.image, `sample ${i}`, () => setCurrent(refOf(item, `sample ${i} of seed ${seed}`)))));
}

// --- encode ----------------------------------------------------------------------------------------

async function loadTestImages() {
  if (!state.info.test_count || !state.info.can_encode) return;
  const data = await fresh("tests", () => api(`/api/test-images?offset=${state.testOffset}&limit=${state.testPage}`));
  if (!data) return;
  const last = state.testOffset + data.items.length;
  $("test-range").textContent = `${state.testOffset + 1}–${last} of ${data.total}`;
  $("test-images").replaceChildren(...data.items.map((item) => {
    const title = item.label === null ? `test ${item.index}` : `test ${item.index} (${item.label})`;
    const img = image(item.image, title, () => encodeTest(item.index, title));
    img.title = title;
    img.dataset.index = item.index;
    return img;
  }));
}

function showReconstruction(data, source) {
  $("encode-original").src = data.original;
  $("encode-reconstruction").src = data.reconstruction;
  $("encode-mse").textContent = `(mean squared error ${data.mse.toPrecision(3)})`;
  setCurrent({ code: data.code, y: data.y, image: data.image, source, index: data.index });
}

async function encodeTest(index, title) {
  $("upload-error").textContent = "";
  const data = await fresh("encode", () => api("/api/encode", { index }));
  if (data) showReconstruction(data, `reconstruction of ${title}`);
}

async function encodeUpload() {
  const file = $("upload").files[0];
  $("upload-error").textContent = "";
  if (!file) return;
  const cond = state.info.conditional;
  const query = cond ? `?label=${$("upload-label").value}` : "";
  // The file travels as the raw body: the server counts its bytes as they arrive and stops at 5 MB.
  const type = file.type || "application/octet-stream";
  const data = await fresh("encode", () => api(`/api/encode-upload${query}`, file, { type }),
    (message) => { $("upload-error").textContent = `${file.name}: ${message}`; });
  $("upload").value = ""; // so choosing the same file again (after fixing it) fires another change
  if (data) showReconstruction(data, `reconstruction of the upload ${file.name}`);
}

// --- interpolation ---------------------------------------------------------------------------------

async function interpolate() {
  if (!state.a || !state.b) return;
  $("interp-hint").textContent = "";
  const slider = $("interp-slider");
  slider.disabled = false;
  const t = Number(slider.value) / 100;
  $("interp-t").textContent = t.toFixed(2);
  const body = { a: { code: state.a.code, y: state.a.y }, b: { code: state.b.code, y: state.b.y },
                 t, steps: 8, mode: $("interp-mode").value };
  const data = await fresh("interpolate", () => api("/api/interpolate", body));
  if (!data) return;
  const img = $("interp-image");
  img.src = data.image;
  img.dataset.t = String(data.t); // the fraction this picture shows: tests wait on it
  state.interpolated = data;
  $("interp-strip").replaceChildren(...data.strip.map((url, i) => image(url, `t=${data.strip_t[i].toFixed(2)}`)));
}

// --- walks -----------------------------------------------------------------------------------------

function slider(label, onInput) {
  const row = document.createElement("div");
  row.className = "slider";
  const name = document.createElement("label");
  name.textContent = label;
  const input = document.createElement("input");
  Object.assign(input, { type: "range", min: -3, max: 3, step: 0.1, value: 0 });
  const value = document.createElement("span");
  value.textContent = "0.0σ";
  input.addEventListener("input", () => { value.textContent = `${Number(input.value).toFixed(1)}σ`; onInput(Number(input.value)); });
  row.append(name, input, value);
  return row;
}

async function loadAxes() {
  state.axes = await api("/api/axes");
  const ax = state.axes;
  $("walk-source").textContent = `Directions from ${ax.source}; sliders move in standard deviations of those codes.`;
  state.walk.principal = ax.principal.stds.map(() => 0);
  state.walk.blocks = ax.blocks.stds.map(() => 0);
  $("walk-principal").replaceChildren(...ax.principal.explained.map((share, i) =>
    slider(`axis ${i + 1} (${(100 * share).toFixed(1)}%)`, (v) => { state.walk.principal[i] = v; walk(); })));
  $("walk-blocks").replaceChildren(...ax.blocks.ranges.map(([lo, hi], i) =>
    slider(`dims ${lo}–${hi}`, (v) => { state.walk.blocks[i] = v; walk(); })));
  $("walk-coordinate-index").max = state.info.latent_dim;
  $("walk-coordinate").replaceChildren(slider("amount", (v) => { state.walk.coordinate = v; walk(); }));
}

function resetWalkSliders() {
  for (const input of $("walk-panel").querySelectorAll("input[type=range]")) {
    input.value = 0;
    input.nextSibling.textContent = "0.0σ";
  }
  state.walk.principal = state.walk.principal.map(() => 0);
  state.walk.blocks = state.walk.blocks.map(() => 0);
  state.walk.coordinate = 0;
}

function startWalk(item) {
  state.walkBase = item;
  $("walk-base").src = item.image;
  $("walk-image").src = item.image;
  resetWalkSliders();
  $("walk-strip-rows").replaceChildren();
}

function walkOffsets() {
  const offsets = [];
  state.walk.principal.forEach((amount, index) => { if (amount) offsets.push({ kind: "principal", index, amount }); });
  state.walk.blocks.forEach((amount, index) => { if (amount) offsets.push({ kind: "block", index, amount }); });
  const coordinate = Number($("walk-coordinate-index").value) - 1;
  if (state.walk.coordinate) offsets.push({ kind: "coordinate", index: coordinate, amount: state.walk.coordinate });
  return offsets;
}

async function walk() {
  if (!state.walkBase) return;
  const base = state.walkBase;
  const data = await fresh("walk", () => api("/api/walk", { code: base.code, y: base.y, offsets: walkOffsets() }));
  if (data) $("walk-image").src = data.image;
}

async function walkStrips() {
  if (!state.walkBase) { showStatus("choose a current code first"); return; }
  const base = state.walkBase;
  const rows = [];
  for (let i = 0; i < state.axes.principal.stds.length; i++) {
    const data = await api("/api/walk-strip", { code: base.code, y: base.y, kind: "principal", index: i, span: 3, steps: 9 });
    const row = document.createElement("div");
    row.className = "strip-row strip";
    const name = document.createElement("span");
    name.textContent = `axis ${i + 1}: −3σ … +3σ`;
    row.append(name, ...data.images.map((url, k) => image(url, `axis ${i + 1} at ${data.amounts[k].toFixed(1)}σ`)));
    rows.push(row);
  }
  $("walk-strip-rows").replaceChildren(...rows);
}

// --- arithmetic ------------------------------------------------------------------------------------

function drawSets() {
  const draw = (list, box) => $(box).replaceChildren(...list.map((item, i) =>
    image(item.image, `${item.source} (click to remove)`, () => { list.splice(i, 1); drawSets(); })));
  draw(state.setA, "set-a");
  draw(state.setB, "set-b");
  $("arith-run").disabled = !(state.setA.length && state.setB.length && state.c);
}

async function arithmetic() {
  const ref = (item) => ({ code: item.code, y: item.y });
  $("arith-error").textContent = "";
  const body = { a: state.setA.map(ref), b: state.setB.map(ref), c: ref(state.c) };
  const data = await fresh("arithmetic", () => api("/api/arithmetic", body),
    (message) => { $("arith-error").textContent = message; });
  if (!data) return;
  for (const [id, url] of [["arith-mean-a", data.mean_a], ["arith-mean-b", data.mean_b], ["arith-c", data.c],
                           ["arith-result", data.image]]) $(id).src = url;
  const result = $("arith-result");
  result.onclick = () => setCurrent(refOf(data, "arithmetic result"));
}

// --- conditional -----------------------------------------------------------------------------------

async function showConditional() {
  const cond = state.info.conditional;
  const item = state.current;
  const data = await fresh("conditional", () => api("/api/conditional", { code: item.code }));
  if (!data) return;
  $("conditional-images").replaceChildren(...data.images.map((url, i) => {
    const y = cond.names.map((_, k) => (k === i ? 1 : 0));
    const img = image(url, data.names[i], () => setCurrent({ code: item.code, y, image: url,
      source: `${item.source}, condition ${data.names[i]}` }));
    img.title = data.names[i];
    const figure = document.createElement("figure");
    const caption = document.createElement("figcaption");
    caption.textContent = data.names[i];
    figure.append(img, caption);
    return figure;
  }));
  if (cond.kind === "attributes") drawAttributeToggles(item);
}

function drawAttributeToggles(item) {
  const boxes = state.info.conditional.names.map((name, k) => {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = item.y && item.y[k] > 0.5;
    box.addEventListener("change", async () => {
      const y = [...$("conditional-toggles").querySelectorAll("input")].map((b) => (b.checked ? 1 : 0));
      const data = await fresh("decode", () => api("/api/decode", { code: item.code, y }));
      if (data) setCurrent({ code: data.code, y: data.y, image: data.image, source: `${item.source}, attributes set` });
    });
    label.append(box, ` ${name} `);
    return label;
  });
  $("conditional-toggles").replaceChildren(...boxes);
}

// --- metrics ---------------------------------------------------------------------------------------

async function loadMetrics() {
  const data = await api("/api/metrics");
  $("metrics-note").textContent = data.note || "";
  const rows = data.rows.map(([name, value]) => {
    const tr = document.createElement("tr");
    for (const text of [name, value]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  });
  if (rows.length) {
    const head = document.createElement("tr");
    head.innerHTML = "<th>metric</th><th>value</th>";
    rows.unshift(head);
  }
  $("metrics-table").replaceChildren(...rows);
  $("metrics-skipped").textContent = data.skipped.map(([n, why]) => `skipped ${n}: ${why}`).join("; ");
  $("report-link").hidden = !data.report;
}

// --- start -----------------------------------------------------------------------------------------

function describe(info) {
  const [c, h, w] = info.image_shape;
  const encoder = info.can_encode ? `encodes by ${info.encode_kind}` : "sample-only (no encoder)";
  const cond = info.conditional ? `, conditional on ${info.conditional.y_dim} ${info.conditional.kind}` : "";
  return `${info.model} on ${info.data}: ${c}×${h}×${w} images, ${info.latent_dim}-D codes, ${encoder}${cond}.`;
}

function setUpEncodePanel(info) {
  const [c, h, w] = info.image_shape;
  $("upload-kind").textContent = `(${w}×${h} px, ${c === 1 ? "grayscale" : "RGB"}; at most 5 MB)`;
  if (!info.can_encode) {
    $("encode-note").textContent = `The ${info.model} model has no encoder: use samples, walks and interpolation between random codes.`;
    $("encode-controls").hidden = true;
    return;
  }
  $("encode-note").textContent = info.test_count ? `Test images: ${info.test_note}.` : info.test_note;
  if (info.conditional && info.conditional.kind === "classes") {
    $("upload-label-box").hidden = false;
    $("upload-label").replaceChildren(...info.conditional.names.map((name, i) => new Option(name, i)));
  }
}

function wire() {
  wireCurrentButtons();
  $("sample-more").addEventListener("click", () => { $("sample-seed").value = Number($("sample-seed").value) + 1; loadSamples(); });
  $("sample-seed").addEventListener("change", loadSamples);
  $("upload").addEventListener("change", encodeUpload);
  $("test-prev").addEventListener("click", () => { state.testOffset = Math.max(0, state.testOffset - state.testPage); loadTestImages(); });
  $("test-next").addEventListener("click", () => {
    if (state.testOffset + state.testPage < state.info.test_count) { state.testOffset += state.testPage; loadTestImages(); }
  });
  $("interp-slider").addEventListener("input", interpolate);
  $("interp-mode").addEventListener("change", interpolate);
  $("walk-reset").addEventListener("click", () => { resetWalkSliders(); walk(); });
  $("walk-strips").addEventListener("click", () => walkStrips().catch((e) => showStatus(e.message)));
  $("walk-coordinate-index").addEventListener("change", walk);
  $("arith-run").addEventListener("click", arithmetic);
  $("arith-clear").addEventListener("click", () => { state.setA = []; state.setB = []; drawSets(); });
}

async function start() {
  wire();
  try {
    const info = await api("/api/info");
    state.info = info;
    $("run-name").textContent = info.run;
    $("run-info").textContent = describe(info);
    $("conditional-panel").hidden = !info.conditional;
    setUpEncodePanel(info);
    await Promise.all([loadSamples(), loadTestImages(), loadAxes(), loadMetrics()]);
    document.body.dataset.ready = "true"; // everything loaded: tests and screenshots wait on this
  } catch (e) {
    showStatus(`the explorer could not start: ${e.message}`);
  }
}

start();
