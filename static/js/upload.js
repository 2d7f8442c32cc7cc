// Progressive enhancement of the admin upload: send the chosen files one at a time into one
// batch, showing progress, then open the batch's review list. Without JavaScript the form
// posts all files at once and the server redirects to the same review list.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  if (!form || !window.fetch) return;
  form.addEventListener("submit", async (event) => {
    const input = form.querySelector('input[type="file"]');
    const files = Array.from(input.files);
    if (files.length < 2) return; // one file: the plain post is as good
    event.preventDefault();
    const box = document.getElementById(form.dataset.progress);
    const bar = box.querySelector("progress");
    const status = box.querySelector("[role=status]");
    box.hidden = false;
    bar.max = files.length;
    let batch = "";
    let review = "";
    const counts = { imported: 0, duplicate: 0, failed: 0 };
    for (const [i, file] of files.entries()) {
      const data = new FormData(form);
      data.delete("files");
      data.append("files", file);
      data.set("batch", batch);
      status.textContent = `Reading ${file.name} (${i + 1} of ${files.length})…`;
      try {
        const response = await fetch(form.action || window.location.href, {
          method: "POST", body: data, headers: { Accept: "application/json" },
        });
        const answer = await response.json();
        // A refused post (400) names no batch: keep the one started, count the file failed.
        if (!response.ok || !answer.results) throw new Error("not imported");
        batch = answer.batch; review = answer.review;
        for (const r of answer.results) counts[r.outcome] += 1;
      } catch (error) {
        counts.failed += 1;
      }
      bar.value = i + 1;
      status.textContent = `${i + 1} of ${files.length}: ${counts.imported} imported, ` +
        `${counts.duplicate} duplicates, ${counts.failed} failed`;
    }
    if (review) window.location.href = review;
  });
});
