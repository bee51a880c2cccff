// A job's page (templates/admin/backoffice/datajob/job.html): while the job is queued or
// running, ask for its progress every second, show rows done, rate and time left, and reload
// the page once its status changes (the preview, the outcome and the buttons come with it).
(function () {
  "use strict";
  const page = document.querySelector(".job-page");
  if (!page) return;
  const box = page.querySelector(".job-progress");
  if (!box) return;  // the job has finished: nothing to follow
  const bar = box.querySelector(".job-bar");
  const phase = box.querySelector(".job-phase");
  const counts = box.querySelector(".job-counts");
  const shown = page.dataset.status;
  const number = new Intl.NumberFormat();

  function describe(p) {
    if (p.total === null || p.total === undefined) return number.format(p.done || 0) + " rows";
    let text = number.format(p.done) + " of " + number.format(p.total) + " rows";
    if (p.rate) text += ", " + number.format(p.rate) + " rows a second";
    if (p.seconds_left !== null && p.seconds_left !== undefined) {
      const m = Math.floor(p.seconds_left / 60), s = p.seconds_left % 60;
      text += ", about " + (m ? m + " min " : "") + s + " s left";
    }
    return text;
  }

  function ask() {
    fetch(page.dataset.progressUrl, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((p) => {
        if (p.status !== shown) { window.location.reload(); return; }
        if (p.phase) phase.textContent = p.phase.charAt(0).toUpperCase() + p.phase.slice(1) + "…";
        if (p.total) { bar.max = p.total; bar.value = p.done; } else { bar.removeAttribute("value"); }
        counts.textContent = describe(p);
        if (p.polling) window.setTimeout(ask, 1000);
      })
      .catch(() => window.setTimeout(ask, 3000));
  }
  ask();
})();
