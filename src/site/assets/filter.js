// The index's search: filters the list by what people type (a problem in plain words)
// or paste (an error message). A query that covers most of an entry's alias (the error
// texts each entry lists) shows the entries with such an alias; otherwise every word
// typed must begin a word of the entry's title, summary, tags or aliases, leaving out
// words most entries have ("async") when others remain; when no entry has them all, the
// entries that have the most of them (at least half) are shown.
"use strict";
(() => {
  const records = JSON.parse(document.getElementById("search-data").textContent);
  const form = document.getElementById("search");
  const input = document.getElementById("q");
  const status = document.getElementById("search-status");
  const STOP = new Set(("a an and are as at be but by for from has have i in is it its my " +
    "not of on or so that the this to was were when with").split(" "));
  const stem = (word) => {
    for (const suffix of ["ing", "ed"]) {
      if (word.length > suffix.length + 2 && word.endsWith(suffix)) {
        const base = word.slice(0, -suffix.length);
        return /([^lsz])\1$/.test(base) ? base.slice(0, -1) : base;
      }
    }
    return word.length > 3 && word.endsWith("s") && !word.endsWith("ss") ? word.slice(0, -1) : word;
  };
  const words = (text) => text.toLowerCase().split(/[^a-z0-9_]+/)
    .filter((w) => w && !STOP.has(w)).map(stem);
  const entries = records.map((r) => ({
    item: document.getElementById("entry-" + r.id),
    words: words([r.title, r.id.replace(/-/g, " "), r.summary, r.tags.join(" "),
      r.aliases.join(" ")].join(" ")),
    aliases: r.aliases.map(words).filter((a) => a.length > 0),
  }));

  const has = (e, w) => e.words.some((have) => have.startsWith(w));

  function matching(query) {
    const typed = words(query);
    if (typed.length === 0) return null;
    const asked = new Set(typed);
    // A one-word alias ("return_exceptions") is matched only by that word alone.
    const covers = (alias) => (alias.length > 1 || typed.length === 1) &&
      alias.filter((w) => asked.has(w)).length / alias.length >= 0.75;
    const pasted = entries.filter((e) => e.aliases.some(covers));
    if (pasted.length > 0) return pasted;
    const telling = typed.filter((w) => entries.filter((e) => has(e, w)).length * 2 <= entries.length);
    const wanted = telling.length > 0 ? telling : typed;
    const counts = entries.map((e) => wanted.filter((w) => has(e, w)).length);
    const best = Math.max(...counts);
    if (best === 0 || best * 2 < wanted.length) return [];
    return entries.filter((e, i) => counts[i] === best);
  }

  function update() {
    const shown = matching(input.value);
    for (const e of entries) e.item.hidden = shown !== null && !shown.includes(e);
    for (const group of document.querySelectorAll("section.group")) {
      group.hidden = !group.querySelector("li:not([hidden])");
    }
    status.textContent = shown === null ? ""
      : shown.length === 0 ? "No entry matches; try fewer words."
      : `${shown.length} of ${entries.length} entries match.`;
  }

  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("input", update);
  input.value = new URLSearchParams(location.search).get("q") || "";
  form.hidden = false;
  update();
})();
