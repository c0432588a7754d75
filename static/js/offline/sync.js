// Sending the queue through the API. A record goes in steps — the inspection with its checklist and
// hazards (POST /api/v1/inspections/), then each photo (POST /api/v1/hazards/{id}/photos/) — each
// with an Idempotency-Key made from the record's id, and each step done is written to the queue at
// once: a sync cut off anywhere, or repeated because an answer was lost, sends the rest and never
// creates a record twice. A refusal keeps the record with the API's reason (in the page's language).

import * as queue from "./queue.js";

function csrfToken() {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  if (cookie) { return decodeURIComponent(cookie.slice("csrftoken=".length)); }
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

/** The reason of the API's refusal envelope: its detail and each field's error. */
function reason(body, fallback) {
  if (!body || typeof body !== "object") { return fallback; }
  const parts = [];
  if (body.detail) { parts.push(body.detail); }
  for (const error of body.errors || []) {
    const text = error.attr ? `${error.attr}: ${error.detail}` : error.detail;
    if (text && !parts.includes(error.detail)) { parts.push(text); }
  }
  return parts.join(" ") || fallback;
}

class Transient extends Error {}
class Refused extends Error {}

async function send(url, key, body, texts) {
  const headers = {
    "Idempotency-Key": key,
    "X-CSRFToken": csrfToken(),
    Accept: "application/json",
  };
  if (!(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method: "POST", headers, body, credentials: "same-origin" });
  } catch (error) {
    throw new Transient(texts.network);
  }
  let answer = null;
  try { answer = await response.json(); } catch (error) { answer = null; }
  if (response.ok) { return answer; }
  const code = answer && answer.code;
  if (response.status === 401 || code === "not_authenticated" || code === "authentication_failed") {
    throw new Transient(texts.login);
  }
  if (response.status >= 500 || response.status === 429 || code === "idempotency_in_progress") {
    throw new Transient(texts.retry_later);
  }
  throw new Refused(reason(answer, `HTTP ${response.status}`));
}

/** Send one queued record (whatever of it is not sent yet). Returns it, updated and saved; a record
 * sent whole is removed from the queue and comes back with state "done". */
export async function syncRecord(record, { api, texts, onStep }) {
  const sent = record.sent;
  try {
    if (sent.inspection === null) {
      const inspection = await send(`${api}inspections/`, record.id, record.body, texts);
      sent.inspection = inspection.id;
      // Hazards are created in the order they were sent: ascending ids.
      sent.hazards = inspection.hazards.map((hazard) => hazard.id).sort((a, b) => a - b);
      await queue.put(record);
      if (onStep) { onStep(record); }
    }
    for (let h = 0; h < record.photos.length; h += 1) {
      for (let p = 0; p < record.photos[h].length; p += 1) {
        const mark = `${h}.${p}`;
        if (sent.photos.includes(mark)) { continue; }
        const photo = record.photos[h][p];
        const form = new FormData();
        form.append("image", photo.blob, `photo-${h + 1}-${p + 1}.jpg`);
        form.append("taken_at", photo.takenAt);
        if (photo.latitude !== null && photo.latitude !== undefined) {
          form.append("latitude", photo.latitude);
          form.append("longitude", photo.longitude);
          if (photo.accuracy !== null && photo.accuracy !== undefined) { form.append("accuracy_m", photo.accuracy); }
        }
        await send(`${api}hazards/${sent.hazards[h]}/photos/`, `${record.id}.h${h}.p${p}`, form, texts);
        sent.photos.push(mark);
        await queue.put(record);
        if (onStep) { onStep(record); }
      }
    }
  } catch (error) {
    if (error instanceof Refused) {
      record.state = "refused";
      record.message = error.message;
    } else if (error instanceof Transient) {
      record.state = "pending";
      record.message = error.message;
    } else {
      throw error;
    }
    await queue.put(record);
    return record;
  }
  await queue.remove(record.id);
  record.state = "done";
  record.message = "";
  return record;
}

let running = null;

/** Send the user's queue, oldest first; `all` also retries the records the server refused. One sync
 * at a time (the online event and the button may both ask). Stops at the first lost connection. */
export function syncAll(options) {
  if (running) { return running; }
  running = (async () => {
    const results = [];
    try {
      for (const record of await queue.list(options.user)) {
        if (record.state === "refused" && !options.all) { continue; }
        const result = await syncRecord(record, options);
        results.push(result);
        if (result.state === "pending" && result.message === options.texts.network) { break; }
      }
    } finally {
      running = null;
    }
    return results;
  })();
  return running;
}
