// Body chart clicks: a tap on a region fills the region/side inputs of the form(s) named in the
// chart's data-chart-for; the complaint form is submitted at once (htmx).
(function () {
  function onPick(target) {
    var shape = target.closest && target.closest("[data-region]");
    if (!shape) return;
    var holder = shape.closest("[data-chart-for]");
    if (!holder) return;
    holder.querySelectorAll(".mark-selected").forEach(function (e) { e.classList.remove("mark-selected"); });
    shape.classList.add("mark-selected");
    holder.getAttribute("data-chart-for").split(" ").forEach(function (id) {
      var form = document.getElementById(id);
      if (!form) return;
      form.querySelector("[name=region]").value = shape.getAttribute("data-region");
      form.querySelector("[name=side]").value = shape.getAttribute("data-side");
      if (id === "complaint-form" && window.htmx) window.htmx.trigger(form, "submit");
    });
  }
  document.addEventListener("click", function (ev) { onPick(ev.target); });
  document.addEventListener("keydown", function (ev) {
    if ((ev.key === "Enter" || ev.key === " ") && ev.target.getAttribute && ev.target.getAttribute("data-region")) {
      ev.preventDefault(); onPick(ev.target);
    }
  });
})();
