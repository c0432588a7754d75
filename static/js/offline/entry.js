// The offline inspection entry page: registers the service worker (so the page opens without a
// connection next time), turns the form into a queued record (queue.js) with its shrunk photos
// (photos.js), lists the queue ("待同步", or the server's reason for a refusal) and sends it
// (sync.js) when the connection comes back and when "立即同步" is pressed.

import * as queue from "./queue.js";
import { shrink, takenAt } from "./photos.js";
import { syncAll } from "./sync.js";

const root = document.getElementById("offline-entry");
const texts = JSON.parse(document.getElementById("offline-texts").textContent);
const user = root.dataset.user;
const api = root.dataset.api;
const form = document.getElementById("offline-form");
const errors = form.querySelector("[data-testid=offline-errors]");
const rows = document.getElementById("off-hazard-rows");
const template = document.getElementById("off-hazard-template");
const netStatus = root.querySelector("[data-testid=net-status]");
const itemsList = document.getElementById("queue-items");
const syncedList = document.getElementById("synced-items");

// The page may come from the phone's cache, rendered days ago: "today" is the phone's own.
function localToday() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}
form.inspected_on.max = localToday();
form.inspected_on.value = localToday();

function say(text, params) {
  return Object.entries(params || {}).reduce((out, [k, v]) => out.replaceAll(`%(${k})s`, String(v)), text);
}

// -- where the phone is (if its user allows): for the inspection and for each photo ------------------

let fix = null;
const locationNote = document.getElementById("off-location");
if (navigator.geolocation) {
  navigator.geolocation.watchPosition(
    (position) => {
      const c = position.coords;
      fix = { latitude: c.latitude.toFixed(6), longitude: c.longitude.toFixed(6), accuracy: Math.round(c.accuracy) };
      locationNote.textContent = say(texts.location_found, { m: fix.accuracy });
    },
    () => { locationNote.textContent = texts.location_failed; },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
  );
}

// -- hazards and their photos ---------------------------------------------------------------------

const photosOf = new WeakMap(); // hazard row -> [{blob, takenAt, latitude, longitude, accuracy}]

function defaultDeadline() {
  const day = new Date(form.inspected_on.value || Date.now());
  day.setDate(day.getDate() + 7);
  return day.toISOString().slice(0, 10);
}

function addHazard() {
  rows.appendChild(template.content.cloneNode(true));
  const row = rows.lastElementChild;
  row.querySelector("[name=deadline]").value = defaultDeadline();
  photosOf.set(row, []);
  numberHazards();
  const input = row.querySelector("[name=photos]");
  const count = row.querySelector("[data-testid=off-photo-count]");
  input.addEventListener("change", async () => {
    const kept = photosOf.get(row);
    for (const file of input.files) {
      try {
        kept.push({
          blob: await shrink(file),
          takenAt: takenAt(file),
          latitude: fix ? fix.latitude : null,
          longitude: fix ? fix.longitude : null,
          accuracy: fix ? fix.accuracy : null,
        });
      } catch (error) {
        showErrors([say(texts.photo_failed, { name: file.name })]);
      }
    }
    input.value = ""; // the shrunk copies are kept; choosing again adds more
    count.textContent = say(texts.photo_count, { n: kept.length });
  });
  row.querySelector(".remove-hazard").addEventListener("click", () => { row.remove(); numberHazards(); });
  return row;
}

function numberHazards() {
  rows.querySelectorAll("[data-testid=off-hazard] legend").forEach((legend, i) => {
    legend.textContent = legend.textContent.replace(/\s*\d*$/, ` ${i + 1}`);
  });
}

document.getElementById("off-add-hazard").addEventListener("click", () => {
  addHazard();
  showChecklistFor();
});
document.getElementById("all-pass").addEventListener("click", () => {
  form.querySelectorAll("[data-testid=off-item]:not([hidden]) input[type=radio][value=pass]").forEach((radio) => {
    radio.checked = true;
  });
});

// The checklist of the chosen premises' category (inspections.selectors.checklist_items_for): an item
// with categories applies only to those; the others are hidden and not sent.
function applies(element, category) {
  const categories = (element.dataset.categories || "").split(" ").filter(Boolean);
  return !categories.length || categories.includes(category);
}
function showChecklistFor() {
  const option = form.premises.selectedOptions[0];
  const category = option ? option.dataset.category || "" : "";
  form.querySelectorAll("[data-testid=off-item]").forEach((row) => {
    row.hidden = !applies(row, category);
    row.style.display = row.hidden ? "none" : ""; // whatever the stylesheet's display
  });
  form.querySelectorAll("select[name=checklist_item] option[data-categories]").forEach((o) => {
    o.hidden = !applies(o, category);
  });
}
form.premises.addEventListener("change", showChecklistFor);
showChecklistFor();

// -- the record -----------------------------------------------------------------------------------

function showErrors(list) {
  errors.replaceChildren();
  if (!list.length) { errors.hidden = true; return; }
  const head = document.createElement("p");
  head.textContent = texts.not_saved;
  const ul = document.createElement("ul");
  for (const text of list) {
    const li = document.createElement("li");
    li.textContent = text;
    ul.appendChild(li);
  }
  errors.append(head, ul);
  errors.hidden = false;
  errors.scrollIntoView({ block: "center" });
}

function readForm() {
  const problems = [];
  const today = form.inspected_on.max;
  const inspectedOn = form.inspected_on.value;
  if (!form.premises.value) { problems.push(texts.need_premises); }
  if (!inspectedOn || inspectedOn > today) { problems.push(texts.need_date); }
  if (!form.inspectors.value.trim()) { problems.push(texts.need_inspectors); }
  const results = [];
  let missing = 0;
  form.querySelectorAll("[data-testid=off-item]:not([hidden])").forEach((row) => {
    const chosen = row.querySelector("input[type=radio]:checked");
    if (chosen) { results.push({ item: Number(row.dataset.item), result: chosen.value, note: "" }); } else { missing += 1; }
  });
  if (missing) { problems.push(say(texts.need_results, { n: missing })); }
  const hazards = [];
  const photos = [];
  rows.querySelectorAll("[data-testid=off-hazard]").forEach((row, i) => {
    const value = (name) => row.querySelector(`[name=${name}]`).value.trim();
    if (!value("description") || !value("deadline") || !value("responsible_person")) {
      problems.push(say(texts.hazard_incomplete, { n: i + 1 }));
    } else if (inspectedOn && value("deadline") < inspectedOn) {
      problems.push(say(texts.deadline_before, { n: i + 1 }));
    }
    hazards.push({
      severity: value("severity"),
      description: value("description"),
      deadline: value("deadline"),
      responsible_person: value("responsible_person"),
      checklist_item: value("checklist_item") ? Number(value("checklist_item")) : null,
    });
    photos.push(photosOf.get(row) || []);
  });
  const body = {
    premises: Number(form.premises.value),
    inspected_on: inspectedOn,
    inspectors: form.inspectors.value.trim(),
    signed_by: form.signed_by.value.trim(),
    notes: form.notes.value.trim(),
    results,
    hazards,
  };
  if (fix) { body.location = { latitude: fix.latitude, longitude: fix.longitude, accuracy_m: fix.accuracy }; }
  const label = `${form.premises.selectedOptions[0].textContent} · ${inspectedOn}`;
  return { problems, body, photos, label };
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { problems, body, photos, label } = readForm();
  showErrors(problems);
  if (problems.length) { return; }
  await queue.put({
    id: queue.newId(),
    user,
    createdAt: new Date().toISOString(),
    label,
    body,
    photos,
    state: "pending",
    message: "",
    sent: { inspection: null, hazards: [], photos: [] },
  });
  form.reset();
  showChecklistFor();
  form.inspected_on.max = localToday();
  form.inspected_on.value = localToday();
  rows.replaceChildren();
  netStatus.textContent = texts.saved;
  await render();
  if (navigator.onLine) { sync(false); }
});

// -- the queue ------------------------------------------------------------------------------------

async function render() {
  const records = await queue.list(user);
  itemsList.replaceChildren();
  for (const record of records) {
    const li = document.createElement("li");
    li.dataset.testid = "queue-item";
    li.dataset.state = record.state;
    li.dataset.id = record.id;
    const photos = record.photos.reduce((n, list) => n + list.length, 0);
    const title = document.createElement("strong");
    title.textContent = record.label;
    const state = document.createElement("span");
    state.className = `state ${record.state}`;
    state.dataset.testid = "queue-state";
    state.textContent = record.state === "refused" ? texts.refused : texts.pending;
    const summary = document.createElement("span");
    summary.className = "muted";
    summary.textContent = say(texts.summary, { hazards: record.body.hazards.length, photos });
    li.append(title, " ", state, " ", summary);
    if (record.message) {
      const message = document.createElement("p");
      message.className = record.state === "refused" ? "error" : "help";
      message.dataset.testid = "queue-message";
      message.textContent = record.message;
      li.append(message);
    }
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link";
    remove.textContent = texts.delete;
    remove.addEventListener("click", async () => {
      if (window.confirm(texts.delete_confirm)) { await queue.remove(record.id); await render(); }
    });
    li.append(" ", remove);
    itemsList.append(li);
  }
  root.querySelector("[data-testid=queue-count]").textContent = String(records.length);
  document.getElementById("queue-empty").hidden = records.length > 0;
}

// A record left pending while the phone says it is online (an answer lost, a server busy) is tried
// again by itself, less and less often.
const RETRY_FIRST_MS = 3000;
const RETRY_MAX_MS = 120000;
let retryDelay = RETRY_FIRST_MS;
let retryTimer = null;

function retryLater(results) {
  clearTimeout(retryTimer);
  if (!results.some((record) => record.state === "pending")) { retryDelay = RETRY_FIRST_MS; return; }
  retryTimer = setTimeout(() => sync(false), retryDelay);
  retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
}

async function sync(all) {
  if (!navigator.onLine && !all) { return; }
  netStatus.textContent = texts.syncing;
  const results = await syncAll({ user, api, texts, all, onStep: () => render() });
  if (navigator.onLine) { retryLater(results); }
  for (const record of results.filter((r) => r.state === "done")) {
    const li = document.createElement("li");
    li.dataset.testid = "synced-item";
    li.textContent = `${texts.synced}：${record.label}`;
    syncedList.append(li);
  }
  netStatus.textContent = navigator.onLine ? texts.online : texts.offline;
  await render();
}

document.getElementById("sync-now").addEventListener("click", () => sync(true));
window.addEventListener("online", () => sync(false));
window.addEventListener("offline", () => { netStatus.textContent = texts.offline; });
netStatus.textContent = navigator.onLine ? "" : texts.offline;

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(root.dataset.sw, { scope: "/" }).catch(() => undefined);
}
await render();
if (navigator.onLine) { sync(false); }
root.dataset.ready = "true";
