// Pathway's local web chat: pick an organisation and a person, talk as them, and receive what the
// bot sends them on behalf of others (approval cards, outcomes) over a server-sent event stream.
"use strict";

const $ = (selector) => document.querySelector(selector);
const log = $("#log");
const orgSelect = $("#org");
const personSelect = $("#person");
const connection = $("#connection");
const composer = $("#composer");
const message = $("#message");
const dialog = $("#form-dialog");
const confirmDialog = $("#confirm-dialog");
const MAX_KEPT = 300; // transcript entries kept per person in this browser tab

const chat = { org: null, email: null, name: "", entries: [], stream: null, busy: false, seen: new Set() };

// ---------------------------------------------------------------- the server

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ error: `The server answered ${response.status}.` }));
  if (!response.ok) throw new Error(data.error || `The server answered ${response.status}.`);
  return data;
}

// One turn. A form's submission (`submitted`: its form id) keeps the form dialog open until the answer
// is in: the same form sent back with problems is redrawn there, with what was typed; else it closes.
async function sendTurn(turn, shown, submitted = null) {
  if (chat.busy) return;
  const who = { org: chat.org, email: chat.email };
  setBusy(true);
  addEntry({ kind: "me", text: shown, action: Boolean(turn.action) });
  let keptOpen = false;
  try {
    const data = await api("/api/web/turns", { org: who.org, as: who.email, ...turn });
    if (who.org !== chat.org || who.email !== chat.email) return; // switched person meanwhile
    data.replies.forEach((reply) => { keptOpen = receive(reply, { answer: true, submitted }) || keptOpen; });
  } catch (error) {
    addEntry({ kind: "note", text: `Not sent: ${error.message}`, problem: true });
    if (submitted && dialog.open) {
      $("#form-error").textContent = `Not sent: ${error.message} Your answers are still here.`;
      keptOpen = true;
    }
  } finally {
    setBusy(false);
    if (submitted && !keptOpen && dialog.open) dialog.close();
  }
  return keptOpen; // true: the submitted form came back to be corrected (or could not be sent)
}

function connect() {
  if (chat.stream) chat.stream.close();
  const query = new URLSearchParams({ org: chat.org, as: chat.email });
  const stream = new EventSource(`/api/web/inbox?${query}`);
  chat.stream = stream;
  connection.textContent = "Connecting…";
  stream.addEventListener("ready", (event) => {
    const person = JSON.parse(event.data);
    connection.textContent = `Connected as ${person.name} (${person.description}).`;
  });
  stream.addEventListener("message", (event) => {
    const item = JSON.parse(event.data);
    if (!chat.seen.has(item.id)) { // a message sent again after a dropped connection is shown once
      chat.seen.add(item.id);
      receive(item.reply, { delivered: true });
    }
    confirmShown(item.id);
  });
  stream.addEventListener("error", () => {
    connection.textContent = stream.readyState === EventSource.CLOSED
      ? "Not connected: messages for this person can't arrive. Reload the page to try again."
      : "Reconnecting…";
  });
}

// Tell the server the message is on the page (and saved with the transcript): only then is it delivered.
function confirmShown(id) {
  api("/api/web/inbox/received", { org: chat.org, as: chat.email, ids: [id] }).catch(() => {
    // Unconfirmed messages are sent again on the next connection; the page shows each id once.
  });
}

// ---------------------------------------------------------------- who is talking

async function loadOrganisations() {
  const { organisations } = await api("/api/web/organisations");
  orgSelect.replaceChildren(...organisations.map((o) => new Option(o.name, o.id)));
  const saved = localStorage.getItem("pathway.org");
  if (organisations.some((o) => o.id === saved)) orgSelect.value = saved;
  await loadPeople();
}

async function loadPeople() {
  const org = orgSelect.value;
  localStorage.setItem("pathway.org", org);
  const { people } = await api(`/api/web/organisations/${encodeURIComponent(org)}/people`);
  // Another organisation was picked while this list was on its way: its own load fills the list. (Going
  // on would pair the new organisation with one of this one's people, whom the server refuses.)
  if (orgSelect.value !== org) return;
  personSelect.replaceChildren(...people.map((p) => {
    const option = new Option(`${p.name} (${p.description})`, p.email);
    option.dataset.name = p.name;
    option.dataset.description = p.description;
    option.dataset.role = p.role;
    return option;
  }));
  const saved = localStorage.getItem(`pathway.person.${org}`);
  if (people.some((p) => p.email === saved)) personSelect.value = saved;
  switchPerson();
}

function switchPerson() {
  const option = personSelect.selectedOptions[0];
  if (!option) return;
  const open = chat.stream && chat.stream.readyState !== EventSource.CLOSED;
  if (open && chat.org === orgSelect.value && chat.email === option.value) return; // already them
  chat.org = orgSelect.value;
  chat.email = option.value;
  chat.name = option.dataset.name;
  localStorage.setItem(`pathway.person.${chat.org}`, chat.email);
  const stored = JSON.parse(sessionStorage.getItem(storageKey()) || "null");
  chat.entries = stored ? stored.entries : [];
  chat.seen = new Set(stored ? stored.seen : []);
  log.replaceChildren(...chat.entries.map(draw));
  if (!chat.entries.length) addEntry(welcome(option));
  scrollToEnd();
  connect();
}

// What each role is likely to try first (the full list is in 'help', which answers by role too).
const WELCOMES = {
  worker: ["Ask about progression, or apply.", ["What do I need for the next level?", "apply", "status", "help"]],
  manager: ["Approval cards for you arrive here.", ["status", "out of office", "help"]],
  service_manager: ["Approval cards and escalations for you arrive here.", ["status", "out of office", "help"]],
  hr: ["Say 'hr' for HR's tools: panels, broadcasts, posts, reassigning.", ["hr", "status", "help"]],
  admin: ["Say 'hr' for HR's tools.", ["hr", "status", "help"]],
};

function welcome(option) {
  const [line, tries] = WELCOMES[option.dataset.role] || ["", ["status", "help"]];
  return {
    kind: "note",
    text: `You are talking as ${option.dataset.name} (${option.dataset.description}). ${line} `
      + "Messages other people's actions send this person arrive here too.",
    suggestions: tries,
  };
}

const storageKey = () => `pathway.transcript.${chat.org}.${chat.email}`;

function save() {
  chat.entries = chat.entries.slice(-MAX_KEPT);
  const kept = { entries: chat.entries, seen: [...chat.seen].slice(-MAX_KEPT) };
  sessionStorage.setItem(storageKey(), JSON.stringify(kept));
}

// ---------------------------------------------------------------- the transcript

function addEntry(entry) {
  entry.id = entry.id || `e${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
  chat.entries.push(entry);
  save();
  log.append(draw(entry));
  scrollToEnd();
  return entry;
}

// Shows a reply; true when it leaves a form in the dialog: the submitted one sent back to be corrected
// (redrawn with what was typed) or a further one.
function receive(reply, how) {
  const replaced = reply.replaces ? replaceCard(reply) : false;
  if (!replaced) {
    const entry = addEntry({ kind: "bot", reply, delivered: Boolean(how.delivered) });
    if (reply.form && how.answer && isSentBack(reply.form, how.submitted)) {
      const wrong = reply.form.fields.filter((f) => f.error).length;
      const told = wrong === 1 ? "One box needs correcting: see the message under it."
        : `${wrong} boxes need correcting: see the message under each.`;
      openForm(reply.form, entry.id, told);
      return true;
    }
    if (reply.form && how.answer) {
      openForm(reply.form, entry.id); // a further form (the dialog shows it, fresh)
      return true;
    }
  } else if (!reply.card_fallback) {
    addEntry({ kind: "bot", reply: { ...reply, card: null, replaces: null }, delivered: Boolean(how.delivered) });
  } else {
    connection.textContent = `Updated: ${reply.card.title}. ${reply.card.body}`;
  }
  return false;
}

// The form just submitted, sent back with a problem beside one or more of its fields.
function isSentBack(form, submitted) {
  return Boolean(submitted) && form.submit.data.form === submitted && form.fields.some((f) => f.error);
}

// A reply that updates an earlier card redraws that card where it is, as chat apps do: every copy of
// it (a reminder brings the same card again), so no copy keeps buttons that no longer act.
function replaceCard(reply) {
  const entries = chat.entries.filter((e) => e.kind === "bot" && e.reply.card && e.reply.card.key === reply.replaces);
  if (!entries.length || !reply.card) return false;
  for (const entry of entries) {
    entry.reply = { ...entry.reply, text: reply.text, card: reply.card, buttons: reply.buttons, form: null };
    const old = log.querySelector(`[data-entry="${entry.id}"]`);
    if (old) {
      const hadFocus = old.contains(document.activeElement);
      const fresh = draw(entry);
      old.replaceWith(fresh);
      if (hadFocus) focusCard(fresh); // the pressed button is gone: keep the keyboard user's place
    }
  }
  save();
  return true;
}

function focusCard(item) {
  const card = item.querySelector(".card");
  card.setAttribute("tabindex", "-1");
  card.focus();
}

function draw(entry) {
  const item = el("li", { className: `message ${entry.kind}`, "data-entry": entry.id });
  if (entry.kind === "me") {
    item.append(el("p", { className: "who visually-hidden" }, "You:"));
    item.append(el("div", { className: `bubble${entry.action ? " pressed" : ""}` }, entry.text));
  } else if (entry.kind === "note") {
    item.append(drawNote(entry));
  } else {
    item.append(drawReply(entry));
  }
  return item;
}

function drawNote(entry) {
  const box = el("div", { className: `note${entry.problem ? " problem" : ""}` }, el("p", {}, entry.text));
  if (entry.suggestions) {
    const row = el("div", { className: "buttons", role: "group", "aria-label": "Things to try" });
    entry.suggestions.forEach((text) => row.append(actionButton(text, () => sendTurn({ text }, text))));
    box.append(row);
  }
  return box;
}

function drawReply(entry) {
  const reply = entry.reply;
  const bubble = el("div", { className: "bubble" });
  const label = entry.delivered ? "Pathway · new message" : "Pathway";
  bubble.append(el("p", { className: "who" }, label));
  if (reply.attachment && reply.text === reply.attachment.content) {
    bubble.append(drawDocument(reply.attachment)); // a long document: folded, with its download below
  } else if (!reply.card || !reply.card_fallback) {
    // A reply whose text is only its card in plain words (for channels that cannot draw cards) shows the card.
    bubble.append(...drawText(reply));
  }
  if (reply.card) bubble.append(drawCard(reply.card));
  if (reply.attachment) bubble.append(drawAttachment(reply.attachment));
  if (reply.buttons && reply.buttons.length) bubble.append(drawButtons(reply.buttons));
  if (reply.form) {
    const open = actionButton(`Fill in: ${reply.form.title}`, () => openForm(reply.form, entry.id), "primary");
    bubble.append(el("div", { className: "buttons" }, open));
  }
  return bubble;
}

function drawText(reply) {
  const lines = reply.text.split("\n");
  const last = lines[lines.length - 1];
  const sourceLine = last.startsWith("Source: ") ? lines.pop().slice("Source: ".length) : null;
  const parts = [el("p", { className: "text" }, lines.join("\n"))];
  const cited = sourceLine || reply.sources.map((s) => `${s.title}, §${s.section}`).join("; ");
  if (cited) {
    parts.push(el("p", { className: "sources" }, el("span", { className: "sources-label" }, "Source"), ` ${cited}`));
  }
  return parts;
}

function drawCard(card) {
  const box = el("article", { className: "card", "data-card-key": card.key || "" });
  const titleId = `card-${Math.random().toString(36).slice(2, 9)}`;
  box.setAttribute("aria-labelledby", titleId);
  box.append(el("h3", { id: titleId }, card.title));
  const facts = card.fields.filter((f) => !f.button);
  if (facts.length) {
    const list = el("dl", { className: "facts" });
    facts.forEach((f) => list.append(el("dt", {}, f.label), el("dd", {}, f.value)));
    box.append(list);
  }
  const lines = card.fields.filter((f) => f.button);
  if (lines.length) box.append(drawLines(lines));
  if (card.body) box.append(el("p", { className: "card-body" }, card.body));
  if (card.buttons.length) box.append(drawButtons(card.buttons));
  return box;
}

// Card lines with a button of their own (an evidence item and its Open): the button's accessible name
// starts with its visible label and says which line it acts on.
function drawLines(lines) {
  const list = el("ul", { className: "lines" });
  lines.forEach((f) => {
    const press = actionButton(f.button.label, () => sendTurn({ action: f.button.action }, `${f.button.label}: ${f.label}`), f.button.style);
    press.setAttribute("aria-label", `${f.button.label} ${f.label}`);
    list.append(el("li", {}, el("span", { className: "line-label" }, f.label), el("span", { className: "line-value" }, f.value), press));
  });
  return list;
}

function drawButtons(buttons) {
  const row = el("div", { className: "buttons", role: "group", "aria-label": "Actions" });
  buttons.forEach((b) => row.append(actionButton(b.label, () => press(b), b.style)));
  return row;
}

// A decisive button (Submit, Approve, Send) asks first, in a dialog; only "yes" sends it.
function press(button) {
  if (!button.confirm) {
    sendTurn({ action: button.action }, button.label);
    return;
  }
  $("#confirm-title").textContent = button.confirm.title;
  $("#confirm-text").textContent = button.confirm.text;
  const yes = $("#confirm-yes");
  yes.textContent = button.confirm.yes;
  yes.className = button.style === "danger" ? "danger" : "primary";
  $("#confirm-no").textContent = button.confirm.no;
  confirmDialog.pathwayButton = button;
  confirmDialog.pathwayOpener = document.activeElement;
  confirmDialog.showModal();
}

function drawDocument(attachment) {
  const firstLine = attachment.content.split("\n", 1)[0];
  return el("details", { className: "document" },
    el("summary", {}, firstLine || attachment.filename),
    // focusable, so a keyboard user can scroll a long document (it scrolls past 320px)
    el("pre", { tabindex: "0", "aria-label": attachment.filename }, attachment.content));
}

function drawAttachment(attachment) {
  // A binary file (a PDF) comes base64-encoded beside its text; offer the file itself for download.
  const body = attachment.data_base64
    ? Uint8Array.from(atob(attachment.data_base64), (c) => c.charCodeAt(0))
    : attachment.content;
  const blob = new Blob([body], { type: attachment.media_type });
  const link = el("a", { className: "attachment", href: URL.createObjectURL(blob), download: attachment.filename });
  link.append(el("span", { className: "file-icon", "aria-hidden": "true" }), `Download ${attachment.filename}`);
  return link;
}

function actionButton(label, onClick, style = "default") {
  const button = el("button", { type: "button", className: `action ${style}` }, label);
  button.addEventListener("click", () => { if (!chat.busy) onClick(); });
  button.setAttribute("aria-disabled", String(chat.busy));
  return button;
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "className") node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

// While a turn is on its way, buttons are marked unavailable but stay focusable (a disabled button
// would drop the keyboard user's place); clicks are ignored until the answer is in.
function setBusy(busy) {
  chat.busy = busy;
  document.querySelectorAll("#send, button.action, #dialog-form button[type=submit]")
    .forEach((b) => b.setAttribute("aria-disabled", String(busy)));
}

function scrollToEnd() {
  log.lastElementChild?.scrollIntoView({ block: "end" });
}

// ---------------------------------------------------------------- forms: a modal dialog

// The form in the dialog: fresh, or (`problem` given) sent back with what was entered and each
// problem beside its field, the first such field focused.
function openForm(form, entryId, problem = "") {
  const fields = $("#form-fields");
  $("#form-title").textContent = form.title;
  $("#form-intro").textContent = form.intro || "";
  $("#form-error").textContent = problem;
  fields.replaceChildren(...form.fields.map(drawField));
  dialog.dataset.entry = entryId;
  dialog.pathwayForm = form;
  if (!dialog.open) {
    dialog.pathwayOpener = document.activeElement;
    dialog.showModal(); // modal: the rest of the page is inert, Escape closes, focus starts inside
  }
  const invalid = fields.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
}

function drawField(field, n) {
  const id = `form-field-${n}`;
  if (field.kind === "files") { // the files chosen go after the form's answers, one turn each
    const picker = el("input", { id, name: field.name, type: "file", multiple: "" });
    return el("div", { className: "field" }, el("label", { for: id }, field.label), picker);
  }
  let input;
  if (field.kind === "date") {
    input = el("input", { id, name: field.name, type: "date" }); // the browser's date picker: sends YYYY-MM-DD
  } else if (field.kind === "time") {
    input = el("input", { id, name: field.name, type: "time" }); // the browser's time picker: sends HH:MM
  } else {
    input = field.multiline
      ? el("textarea", { id, name: field.name, rows: "4" })
      : el("input", { id, name: field.name, type: "text" });
    input.maxLength = field.max_length;
  }
  input.required = field.required;
  input.value = field.value || ""; // a date box keeps only a date it can show
  const box = el("div", { className: "field" }, el("label", { for: id }, field.label), input);
  if (field.error) {
    const errorId = `${id}-error`;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", errorId);
    box.append(el("p", { id: errorId, className: "field-error" }, field.error));
  }
  return box;
}

$("#dialog-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = dialog.pathwayForm;
  const elements = $("#dialog-form").elements;
  const boxes = form.fields.filter((f) => f.kind !== "files");
  const values = Object.fromEntries(boxes.map((f) => [f.name, elements[f.name].value.trim()]));
  const missing = boxes.filter((f) => f.required && !values[f.name]);
  const chosen = form.fields.filter((f) => f.kind === "files").flatMap((f) => [...elements[f.name].files].map((file) => [f, file]));
  const tooBig = chosen.filter(([field, file]) => file.size > field.max_length);
  if (missing.length || tooBig.length) {
    $("#form-error").textContent = missing.length
      ? `Please fill in: ${missing.map((f) => f.label).join("; ")}.`
      : `${tooBig.map(([, file]) => file.name).join(", ")}: too large (up to ${tooBig[0][0].max_length / 1048576} MB each).`;
    elements[(missing[0] || tooBig[0][0]).name].focus();
    return;
  }
  if (chat.busy) return;
  $("#form-error").textContent = "";
  const action = { name: form.submit.name, data: { ...form.submit.data, ...values } };
  const shown = `${form.title}: ${boxes.map((f) => values[f.name]).filter(Boolean).join(" / ")}`;
  // The dialog stays open until the answer is in; a form sent back to be corrected keeps its files too.
  if (await sendTurn({ action }, shown, form.submit.data.form)) return;
  // Each file then goes on its own (a turn carries one file): saving left the item open, so it is theirs.
  for (const [, file] of chosen) {
    await sendTurn({ files: [{ name: file.name, media_type: file.type || "application/octet-stream", data_base64: await base64(file) }] },
      `Attached file: ${file.name}`);
  }
});

function base64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
$("#form-cancel").addEventListener("click", () => dialog.close());
dialog.addEventListener("close", () => {
  const opener = dialog.pathwayOpener;
  if (opener && document.contains(opener)) opener.focus();
  else message.focus();
});

$("#confirm-yes").addEventListener("click", () => {
  const button = confirmDialog.pathwayButton;
  confirmDialog.close();
  if (button) sendTurn({ action: button.action }, button.confirm.yes);
});
$("#confirm-no").addEventListener("click", () => confirmDialog.close());
confirmDialog.addEventListener("close", () => {
  confirmDialog.pathwayButton = null;
  const opener = confirmDialog.pathwayOpener;
  if (opener && document.contains(opener)) opener.focus();
  else message.focus();
});

// ---------------------------------------------------------------- the composer

// Following a fragment link moves the reading position but not, in every browser, the keyboard
// focus: the skip link puts focus in the message box itself.
$(".skip").addEventListener("click", (event) => {
  event.preventDefault();
  message.focus();
});

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = message.value.trim();
  if (!text || chat.busy) return;
  message.value = "";
  grow();
  sendTurn({ text }, text);
});
message.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});
const grow = () => {
  message.style.height = "auto";
  message.style.height = `${Math.min(message.scrollHeight, 160)}px`;
};
message.addEventListener("input", grow);
orgSelect.addEventListener("change", () => loadPeople().catch(showProblem));
personSelect.addEventListener("change", switchPerson);

function showProblem(error) {
  connection.textContent = `Problem: ${error.message}`;
}

loadOrganisations().catch(showProblem);
