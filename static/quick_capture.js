// Quick capture, progressive enhancement only: the form works without this file.
// - a live character count near a field's limit (data-max); the text is never cut;
// - the "act now" notice as soon as a dilemma's concern is set to acute (without scripts the
//   server shows it after Save).
"use strict";
(function quickCapture() {
  const form = document.querySelector("form.js-quick-capture");
  if (!form) return;
  const fill = (text, vars) => Object.entries(vars).reduce((s, [k, v]) => s.replace("%(" + k + ")s", v), text);

  const count = (el) => {
    const out = document.getElementById(el.id + "-count");
    if (!out) return;
    const max = Number(el.dataset.max);
    const used = el.value.length;
    // Quiet until 80 % of the limit: a number under every field would only distract.
    out.hidden = used < max * 0.8;
    const over = used > max;
    out.classList.toggle("over", over);
    out.textContent = over ? fill(form.dataset.overText, { over: String(used - max) })
                           : fill(form.dataset.countText, { num: String(used), max: String(max) });
  };
  form.querySelectorAll("[data-max]").forEach((el) => {
    count(el);
    el.addEventListener("input", () => count(el));
  });

  const notice = form.querySelector(".js-act-now");
  if (notice) {
    form.addEventListener("change", (event) => {
      if (event.target.name !== "concern_level") return;
      notice.hidden = event.target.value !== "acute";
    });
  }
})();
