// The help queue: fetch the rows every few seconds; chime when a request id appears that the
// page had not shown before. Browsers play sound only after a first click (the Allow button).
(function () {
  const table = document.getElementById("help-queue");
  const body = table.tBodies[0];
  const chime = new Audio(table.dataset.chime);
  const ids = () => new Set(Array.from(body.querySelectorAll("tr[data-id]"), r => r.dataset.id));
  let seen = ids();
  document.getElementById("sound-on").addEventListener("click", () => chime.play().catch(() => {}));
  async function poll() {
    try {
      const answer = await fetch(table.dataset.pollUrl, {credentials: "same-origin",
                                                   headers: {"X-Console-Poll": "1"}});
      if (answer.status === 401) { location.reload(); return; }
      if (answer.ok) {
        body.innerHTML = await answer.text();
        const now = ids();
        const fresh = [...now].some(id => !seen.has(id));
        seen = now;
        if (fresh) {
          table.dataset.chimed = String(Number(table.dataset.chimed || 0) + 1);
          chime.play().catch(() => {});
        }
      }
    } finally {
      setTimeout(poll, Number(table.dataset.pollMs));
    }
  }
  setTimeout(poll, Number(table.dataset.pollMs));
})();
