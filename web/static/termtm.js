// termtm lookup: search-as-you-type (debounced), keyboard navigation, copy to clipboard, pinyin toggle.
// Served by the app itself; no CDN, no framework.
(function () {
  "use strict";
  const DEBOUNCE_MS = 250;

  function debounce(fn, ms) {
    let timer;
    const debounced = function (...args) { clearTimeout(timer); timer = setTimeout(() => fn.apply(this, args), ms); };
    debounced.cancel = function () { clearTimeout(timer); };
    return debounced;
  }

  function hits() { return Array.from(document.querySelectorAll(".hit")); }

  // Encoding a query for "similar in meaning" costs more than every other group together, so the lexical
  // groups follow each keystroke (DEBOUNCE_MS) and the semantic group is asked for apart, only when typing
  // pauses (SEMANTIC_PAUSE_MS) or Enter is pressed: one typed sentence costs one encoding, not one per key.
  const SEMANTIC_PAUSE_MS = 400;

  function setupSearch() {
    const form = document.getElementById("lookup");
    const results = document.getElementById("results");
    if (!form || !results) return;
    let controller = null;
    let semController = null;
    let semantic = null;  // {q, html}: the latest semantic group, kept until the lexical groups of its query land

    function query() { return new URLSearchParams(new FormData(form)); }

    function placeSemantic() {
      const slot = document.getElementById("semantic");
      if (!semantic || !slot || document.body.dataset.searched !== semantic.q) return;
      slot.outerHTML = semantic.html;
      document.body.dataset.semantic = semantic.q;
    }

    function lexical() {
      const params = query();
      if (!params.get("q").trim()) { results.innerHTML = ""; return; }
      history.replaceState(null, "", "?" + params.toString());
      params.set("partial", "1");
      params.set("sem", "0");
      if (controller) controller.abort();
      controller = new AbortController();
      fetch("?" + params.toString(), { signal: controller.signal, headers: { "Accept": "text/html" } })
        .then((r) => r.text())
        .then((html) => { results.innerHTML = html; document.body.dataset.searched = params.get("q"); placeSemantic(); })
        .catch((e) => { if (e.name !== "AbortError") console.error(e); });
    }

    function meaning() {
      const params = query();
      const q = params.get("q");
      if (!q.trim() || (semantic && semantic.q === q && semController === null)) return;
      params.set("partial", "semantic");
      if (semController) semController.abort();
      const mine = semController = new AbortController();
      fetch("?" + params.toString(), { signal: mine.signal, headers: { "Accept": "text/html" } })
        .then((r) => r.text())
        .then((html) => { semantic = { q: q, html: html }; if (semController === mine) semController = null; placeSemantic(); })
        .catch((e) => { if (e.name !== "AbortError") console.error(e); });
    }

    const run = debounce(lexical, DEBOUNCE_MS);
    const pause = debounce(meaning, SEMANTIC_PAUSE_MS);
    let asked = query().toString();
    function typed() {  // "change" repeats what "input" saw (a text field commits on Enter or blur): ignored
      const now = query().toString();
      if (now === asked) return;
      asked = now;
      semantic = null;
      run();
      pause();
    }
    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", function (e) {  // Enter: every group at once, without reloading the page
      e.preventDefault();
      run.cancel();
      pause.cancel();
      asked = query().toString();
      lexical();
      meaning();
    });
  }

  function setupKeys() {
    document.addEventListener("keydown", function (e) {
      const list = hits();
      const i = list.indexOf(document.activeElement);
      const inSearch = document.activeElement && document.activeElement.id === "q";
      if (e.key === "ArrowDown" && (inSearch || i >= 0)) {
        e.preventDefault();
        (list[i + 1] || list[0] || document.activeElement).focus();
      } else if (e.key === "ArrowUp" && i >= 0) {
        e.preventDefault();
        (i === 0 ? document.getElementById("q") : list[i - 1]).focus();
      } else if (e.key === "Enter" && i >= 0 && e.target === list[i]) {
        window.location.href = list[i].dataset.href;
      } else if (e.key === "c" && i >= 0 && e.target === list[i]) {
        const button = list[i].querySelector(".copy");
        if (button) button.click();
      }
    });
    document.addEventListener("click", function (e) {
      const hit = e.target.closest(".hit");
      if (hit && !e.target.closest("a, button")) window.location.href = hit.dataset.href;
    });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement("textarea");
    area.value = text; document.body.appendChild(area); area.select();
    document.execCommand("copy"); area.remove();
    return Promise.resolve();
  }

  function setupCopy() {
    document.addEventListener("click", function (e) {
      const button = e.target.closest(".copy");
      if (!button) return;
      e.preventDefault();
      copyText(button.dataset.copy).then(() => {
        button.classList.add("done");
        document.body.dataset.copied = button.dataset.copy;
        setTimeout(() => button.classList.remove("done"), 1500);
      });
    });
  }

  function setupRuby() {
    const toggle = document.getElementById("ruby-toggle");
    if (!toggle) return;
    const off = localStorage.getItem("termtm.ruby") === "off";
    toggle.checked = !off;
    document.body.classList.toggle("no-ruby", off);
    toggle.addEventListener("change", function () {
      document.body.classList.toggle("no-ruby", !toggle.checked);
      localStorage.setItem("termtm.ruby", toggle.checked ? "on" : "off");
    });
  }

  // Review screen: n / j go to the next doubtful bead (by confidence, least first), p / k to the previous one.
  function setupReview() {
    const list = document.getElementById("beads");
    if (!list) return;
    const beads = Array.from(list.querySelectorAll(".bead"))
      .sort((a, b) => Number(a.dataset.rank) - Number(b.dataset.rank));
    if (!beads.length) return;
    let at = -1;
    function go(i) {
      at = Math.max(0, Math.min(beads.length - 1, i));
      beads.forEach((b) => b.classList.remove("current"));
      beads[at].classList.add("current");
      beads[at].focus();
      document.body.dataset.currentBead = beads[at].id;
    }
    const target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (target && beads.includes(target)) { at = beads.indexOf(target); target.classList.add("current"); }
    document.addEventListener("keydown", function (e) {
      const t = e.target;
      if (e.ctrlKey || e.metaKey || e.altKey || (t && t.closest && t.closest("input, textarea, select, summary"))) return;
      if (e.key === "n" || e.key === "j") { e.preventDefault(); go(at + 1); }
      else if (e.key === "p" || e.key === "k") { e.preventDefault(); go(at - 1); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupSearch(); setupKeys(); setupCopy(); setupRuby(); setupReview();
  });
})();
