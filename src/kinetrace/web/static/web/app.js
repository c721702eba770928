// Kinetrace clinic app: body-chart taps, the region picker, entry-sheet modes, drafts, confirmations.
(function () {
  "use strict";
  // A finger covers about 44 CSS px: regions whose box lies within this radius of the tap are "under" it.
  var TOUCH_RADIUS = 22;

  // --- body chart: a tap picks a region; several under the finger open a list (nothing saved yet) ---
  function distance(rect, x, y) {
    var dx = Math.max(rect.left - x, 0, x - rect.right);
    var dy = Math.max(rect.top - y, 0, y - rect.bottom);
    return Math.sqrt(dx * dx + dy * dy);
  }

  function regionsNear(holder, x, y) {
    var seen = {}, found = [];
    holder.querySelectorAll("[data-region]").forEach(function (shape) {
      var d = distance(shape.getBoundingClientRect(), x, y);
      if (d > TOUCH_RADIUS) return;
      var key = shape.getAttribute("data-region") + "|" + shape.getAttribute("data-side");
      if (seen[key] !== undefined && found[seen[key]].d <= d) return;
      if (seen[key] !== undefined) { found[seen[key]] = { shape: shape, d: d }; return; }
      seen[key] = found.length;
      found.push({ shape: shape, d: d });
    });
    found.sort(function (a, b) { return a.d - b.d; });
    return found.map(function (f) { return f.shape; });
  }

  function nameOf(shape) {
    return shape.getAttribute("aria-label") || (shape.getAttribute("data-region") + " " + shape.getAttribute("data-side"));
  }

  function choose(holder, shape) {
    holder.querySelectorAll(".mark-selected").forEach(function (e) { e.classList.remove("mark-selected"); });
    shape.classList.add("mark-selected");
    var region = shape.getAttribute("data-region"), side = shape.getAttribute("data-side");
    (holder.getAttribute("data-chart-for") || "").split(" ").forEach(function (id) {
      var form = document.getElementById(id);
      if (!form) return;
      var r = form.querySelector("[name=region]"), s = form.querySelector("[name=side]");
      if (r) { r.value = region; r.dispatchEvent(new Event("change", { bubbles: true })); }
      if (s) { s.value = side; s.dispatchEvent(new Event("change", { bubbles: true })); }
    });
    document.querySelectorAll("[data-place-label]").forEach(function (el) { el.textContent = nameOf(shape); });
    var submit = holder.getAttribute("data-submit");
    if (submit && window.htmx) window.htmx.trigger(document.getElementById(submit), "submit");
    var first = document.querySelector("#exam-panel[data-mode=finding] #finding-form [name=kind], #exam-panel[data-mode=marker] #marker-form [name=test]");
    if (first && !submit) first.focus({ preventScroll: true });
  }

  function openPicker(holder, shapes) {
    var picker = document.getElementById(holder.getAttribute("data-picker"));
    if (!picker) { choose(holder, shapes[0]); return; }
    var list = picker.querySelector(".picker-list");
    list.innerHTML = "";
    shapes.forEach(function (shape) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "picker-item";
      b.textContent = nameOf(shape);
      b.addEventListener("click", function () { picker.hidden = true; choose(holder, shape); });
      list.appendChild(b);
    });
    picker.hidden = false;
    var first = list.querySelector("button");
    if (first) first.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (ev) {
    var cancel = ev.target.closest && ev.target.closest(".picker-cancel");
    if (cancel) { cancel.closest(".picker").hidden = true; return; }
    var holder = ev.target.closest && ev.target.closest("[data-chart-for]");
    if (!holder) return;
    var shapes = regionsNear(holder, ev.clientX, ev.clientY);
    if (!shapes.length) {
      var direct = ev.target.closest("[data-region]");
      if (direct) shapes = [direct];
    }
    if (!shapes.length) return;
    if (ev.detail === 0) { // keyboard activation: the focused shape, no ambiguity
      var focused = ev.target.closest("[data-region]");
      if (focused) { choose(holder, focused); return; }
    }
    if (shapes.length === 1) choose(holder, shapes[0]);
    else openPicker(holder, shapes);
  });
  document.addEventListener("keydown", function (ev) {
    var shape = ev.target.getAttribute && ev.target.getAttribute("data-region") ? ev.target : null;
    if (shape && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      choose(shape.closest("[data-chart-for]"), shape);
    }
    if (ev.key === "Escape") document.querySelectorAll(".picker").forEach(function (p) { p.hidden = true; });
  });

  // --- entry sheet: finding or marker ---
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[data-set-mode]");
    if (!b) return;
    var panel = b.closest("[data-mode]");
    panel.setAttribute("data-mode", b.getAttribute("data-set-mode"));
    panel.querySelectorAll("[data-set-mode]").forEach(function (x) { x.setAttribute("aria-pressed", String(x === b)); });
  });

  // --- screening: answer every unanswered question "no" in one tap ---
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[data-all-answers]");
    if (!b) return;
    var form = document.getElementById(b.getAttribute("data-scope"));
    var value = b.getAttribute("data-all-answers");
    var names = {};
    form.querySelectorAll("input[type=radio][name^=flag_]").forEach(function (r) { names[r.name] = true; });
    Object.keys(names).forEach(function (n) {
      var current = form.querySelector("input[name='" + n + "']:checked");
      if (current && current.value !== "not_asked") return;
      var want = form.querySelector("input[name='" + n + "'][value='" + value + "']");
      if (want) { want.checked = true; want.dispatchEvent(new Event("input", { bubbles: true })); }
    });
  });

  // --- confirmations for plain (non-htmx) delete forms ---
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var msg = form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !form.hasAttribute("hx-post") && !window.confirm(msg)) ev.preventDefault();
  }, true);

  // --- drafts: what is typed in a form[data-draft] survives a reload or a failed save ---
  var DRAFT_HOURS = 12;
  function draftKey(form) { return "kt-draft:" + location.pathname + "#" + (form.id || form.getAttribute("action")); }
  function saveDraft(form) {
    if (!form.isConnected) return;  // a form already swapped out (a late input or change event)
    var data = {};
    form.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.type === "hidden" || el.type === "file" || el.disabled) return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (!(el.name in data)) data[el.name] = [];
        if (el.checked) data[el.name].push(el.value);
      } else data[el.name] = el.value;
    });
    try { localStorage.setItem(draftKey(form), JSON.stringify({ at: Date.now(), data: data })); } catch (e) { /* storage full or off */ }
  }
  function clearDraft(form) { try { localStorage.removeItem(draftKey(form)); } catch (e) { /* ignore */ } }
  function restoreDraft(form) {
    var raw;
    try { raw = localStorage.getItem(draftKey(form)); } catch (e) { return; }
    if (!raw) return;
    var draft = JSON.parse(raw);
    if (!draft || Date.now() - draft.at > DRAFT_HOURS * 3600e3) { clearDraft(form); return; }
    var restored = 0;
    Object.keys(draft.data).forEach(function (name) {
      var value = draft.data[name];
      form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
        if (el.type === "hidden" || el.disabled) return;
        if (el.type === "checkbox" || el.type === "radio") {
          var on = value.indexOf(el.value) >= 0;
          if (el.checked !== on) { el.checked = on; restored++; }
        } else if (el.value !== value) { el.value = value; restored++; }
      });
    });
    if (restored && !form.querySelector(".draft-note")) {
      var note = document.createElement("p");
      note.className = "draft-note";
      note.setAttribute("role", "status");
      note.textContent = "Unsaved values you typed earlier were restored. ";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.textContent = "Discard them";
      discard.addEventListener("click", function () { clearDraft(form); location.reload(); });
      note.appendChild(discard);
      form.insertBefore(note, form.firstChild);
    }
  }
  function initDrafts(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("form[data-draft]").forEach(function (form) {
      if (form.__draft) return;
      form.__draft = true;
      var hasErrors = form.querySelector(".errorlist, .has-error");
      // data-draft-clear: the server just saved this form's values; whatever the order of htmx's
      // events, the fresh (empty) form must not get the saved values back as a "draft"
      if (form.hasAttribute("data-draft-clear")) clearDraft(form);
      else if (hasErrors) saveDraft(form); else restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
      form.addEventListener("submit", function () { if (!form.hasAttribute("hx-post")) form.__submitted = true; });
    });
  }
  // A plain POST that fails re-renders the form with its errors (and the values): the draft stays.
  // A successful one redirects; the form comes back empty and its draft is cleared on the next page.
  window.addEventListener("pagehide", function () {
    document.querySelectorAll("form[data-draft]").forEach(function (form) { if (form.__submitted) clearDraft(form); });
  });
  // Only the form's own successful submission clears its draft: a request sent from inside it (the
  // live trial preview, on every keystroke) must not, or the typed values would not survive a reload.
  document.addEventListener("htmx:afterRequest", function (ev) {
    var form = ev.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-draft]")) return;
    if (ev.detail.successful && ev.detail.xhr.status < 300) clearDraft(form);
  });
  document.addEventListener("htmx:afterSettle", function (ev) { initDrafts(ev.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { initDrafts(document); });
})();
// A select marked data-autosubmit submits its (GET) form when changed (no inline handlers: CSP).
document.addEventListener("change", function (ev) {
  if (ev.target.hasAttribute && ev.target.hasAttribute("data-autosubmit")) ev.target.form.submit();
});
