// The inspection / self-inspection form on a phone (progressive enhancement: without JavaScript the
// form works as served). Adds: "全部合格"; choosing 不合格 opens a hazard entry for that item right
// under it; another hazard row on demand; choosing a premises in the list loads its category's
// checklist; after a refused submit the first problem is scrolled into view.
(function () {
  "use strict";
  var form = document.querySelector("form.record-form");
  if (!form) { return; }
  var rows = document.getElementById("hazard-rows");
  var total = document.getElementById("id_hazards-TOTAL_FORMS");
  var template = document.getElementById("hazard-empty");
  var checklist = document.getElementById("checklist");

  function field(row, name) { return row.querySelector("[name$='-" + name + "']"); }
  function rowFields(row) {
    return Array.prototype.filter.call(row.querySelectorAll("input, select, textarea"), function (el) {
      return el.type !== "hidden";
    });
  }
  function untouched(row, prefilled) {
    return rowFields(row).every(function (el) {
      if (el.type === "file") { return !el.files || el.files.length === 0; }
      if (el.type === "checkbox" || el.type === "radio") { return !el.checked; }
      if (prefilled && el.name in prefilled) { return el.value === prefilled[el.name]; }
      return el.value === "";
    });
  }
  function addRow() {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var row = rows.lastElementChild;
    row.id = "hazard-" + (index + 1);
    return row;
  }

  // Another hazard row.
  var add = document.getElementById("add-hazard");
  if (add && rows && total && template) {
    add.hidden = false;
    add.addEventListener("click", function () { field(addRow(), "severity").focus(); });
  }

  // A premises chosen in the list: load the form with its category's checklist.
  var choice = document.querySelector("[data-testid='premises-choice'] select");
  if (choice) {
    choice.addEventListener("change", function () {
      if (!choice.value) { return; }
      var url = new URL(window.location.href);
      url.searchParams.set("premises", choice.value);
      var box = choice.closest("[data-testid='premises-choice']");
      var note = document.createElement("p");
      note.className = "help";
      note.textContent = box.dataset.reload;
      box.appendChild(note);
      window.location.assign(url.toString());
    });
  }

  function itemOf(el) { return el.closest(".checklist-item"); }
  function hazardRowFor(item) {
    var id = item.dataset.item;
    var all = form.querySelectorAll(".hazard-row");
    for (var i = 0; i < all.length; i++) {
      var select = field(all[i], "checklist_item");
      if (select && select.value === id) { return all[i]; }
    }
    return null;
  }

  // 不合格: a hazard entry for the item, under it, with the item chosen and a description begun.
  function openHazard(item, focus) {
    if (!rows || !total || !template) { return; }
    var row = hazardRowFor(item);
    if (!row) {
      var blank = Array.prototype.filter.call(rows.querySelectorAll(".hazard-row"), function (r) {
        return untouched(r);
      });
      row = blank.length ? blank[0] : addRow();
      var select = field(row, "checklist_item");
      var description = field(row, "description");
      select.value = item.dataset.item;
      if (!description.value) {
        description.value = checklist.dataset.failText.replace("%(item)s", item.dataset.itemText);
      }
      var prefilled = {};
      prefilled[select.name] = select.value;
      prefilled[description.name] = description.value;
      row.dataset.prefilled = JSON.stringify(prefilled);
    }
    row.classList.add("for-item");
    item.querySelector(".item-hazard").appendChild(row);
    if (focus) {
      row.scrollIntoView({ block: "nearest", behavior: "smooth" });
      var severity = field(row, "severity");
      if (severity) { severity.focus({ preventScroll: true }); }
    }
  }

  // Back from 不合格: an entry opened for it and left as it was opened goes away again.
  function closeHazard(item) {
    var row = item.querySelector(".item-hazard .hazard-row");
    if (!row || !row.dataset.prefilled) { return; }
    var prefilled = JSON.parse(row.dataset.prefilled);
    if (!untouched(row, prefilled)) { return; }
    rowFields(row).forEach(function (el) { if (el.type !== "file") { el.value = ""; } });
    delete row.dataset.prefilled;
    row.classList.remove("for-item");
    rows.appendChild(row);
  }

  if (checklist) {
    checklist.addEventListener("change", function (event) {
      var radio = event.target;
      if (radio.type !== "radio") { return; }
      var item = itemOf(radio);
      if (!item) { return; }
      if (radio.value === "fail" && radio.checked) { openHazard(item, true); } else { closeHazard(item); }
    });
    // A refused form comes back: entries for failed items go back under them.
    Array.prototype.forEach.call(checklist.querySelectorAll(".checklist-item"), function (item) {
      var failed = item.querySelector("input[type=radio][value=fail]:checked");
      var row = hazardRowFor(item);
      if (failed && row) { item.querySelector(".item-hazard").appendChild(row); }
    });
  }

  // 全部合格: every item not answered yet is marked 合格 (a 不合格 or 不适用 already chosen stays).
  var allPass = document.getElementById("all-pass");
  if (allPass) {
    allPass.hidden = false;
    document.getElementById("all-pass-help").hidden = false;
    allPass.addEventListener("click", function () {
      Array.prototype.forEach.call(checklist.querySelectorAll(".checklist-item"), function (item) {
        if (item.querySelector("input[type=radio]:checked")) { return; }
        var pass = item.querySelector("input[type=radio][value=pass]");
        if (pass) { pass.checked = true; item.classList.remove("has-error"); }
      });
    });
  }

  // A refused form: bring the first problem into view and put the cursor there.
  var banner = document.getElementById("form-errors");
  if (banner) {
    var first = null;
    var marks = form.querySelectorAll(".checklist-item.has-error, .errorlist, .error");
    for (var i = 0; i < marks.length; i++) {
      if (!banner.contains(marks[i])) { first = marks[i]; break; }
    }
    var target = first ? (first.closest(".checklist-item") || first.parentElement) : banner;
    target.scrollIntoView({ block: "center" });
    var input = target === banner ? null : target.querySelector("input:not([type=hidden]), select, textarea");
    (input || banner).focus({ preventScroll: true });
  }
})();
