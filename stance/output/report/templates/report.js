// The report page's behaviour: article bodies built from their JSON when opened, sortable tables,
// quote tooltips, and the speaker and stance filters. Event handlers are delegated to the document,
// so article bodies added later need no wiring.
"use strict";
const speakerFilter = document.getElementById("filter-speaker");
const stanceFilter = document.getElementById("filter-stance");
const tip = document.getElementById("tip");

function fillBody(details) {
  const body = details.querySelector(".body[data-body]");
  if (!body || body.dataset.filled) return;
  body.innerHTML = JSON.parse(document.getElementById(body.dataset.body).textContent);
  body.dataset.filled = "1";
  applyFilters(body);
}

function matches(speaker, stance) {
  return (!speakerFilter.value || speaker === speakerFilter.value) &&
    (!stanceFilter.value || stance === stanceFilter.value);
}

function applyFilters(root) {
  root.querySelectorAll("mark.quote").forEach(mark => {
    mark.classList.toggle("off", !matches(mark.dataset.speaker, mark.dataset.stance));
  });
  root.querySelectorAll("u.mention").forEach(u => {
    u.classList.toggle("off", Boolean(speakerFilter.value) && u.dataset.speaker !== speakerFilter.value);
  });
  // toggleAttribute, not .hidden: SVG elements have no hidden property.
  root.querySelectorAll("tr[data-speaker], g[data-speaker]").forEach(row => {
    row.toggleAttribute("hidden", !matches(row.dataset.speaker, row.dataset.stance));
  });
}

function applyAll() {
  const filtering = Boolean(speakerFilter.value || stanceFilter.value);
  const indexRows = new Map();
  document.querySelectorAll("tr[data-article]").forEach(row => indexRows.set("article-" + row.dataset.article, row));
  let shown = 0;
  const sections = document.querySelectorAll("section.article");
  sections.forEach(section => {
    // data-quoted lists "speaker:stance" of the article's quotes, so closed articles filter too.
    const quoted = section.dataset.quoted ? section.dataset.quoted.split(" ") : [];
    section.hidden = filtering && !quoted.some(pair => {
      const at = pair.indexOf(":");
      return matches(pair.slice(0, at), pair.slice(at + 1));
    });
    if (!section.hidden) shown += 1;
    const indexRow = indexRows.get(section.id);
    if (indexRow) indexRow.hidden = section.hidden;
  });
  applyFilters(document);
  document.getElementById("filter-status").textContent =
    filtering ? shown + " of " + sections.length + " articles shown" : "";
}

function sortBy(th) {
  const table = th.closest("table");
  const column = Array.from(th.parentNode.children).indexOf(th);
  const ascending = th.getAttribute("aria-sort") !== "ascending";
  const numeric = th.dataset.type === "num";
  const key = row => row.children[column].dataset.v;
  const rows = Array.from(table.tBodies[0].rows);
  rows.sort((a, b) => {
    const order = numeric ? Number(key(a)) - Number(key(b)) : key(a).localeCompare(key(b));
    return ascending ? order : -order;
  });
  table.querySelectorAll("th").forEach(other => other.setAttribute("aria-sort", "none"));
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  table.tBodies[0].append(...rows);
}

function showTip(mark) {
  tip.textContent = mark.dataset.tip;
  tip.hidden = false;
  const box = mark.getBoundingClientRect();
  tip.style.left = Math.max(4, Math.min(box.left, window.innerWidth - tip.offsetWidth - 4)) + window.scrollX + "px";
  tip.style.top = box.bottom + window.scrollY + 6 + "px";
}

function hideTip() { tip.hidden = true; }

function openTarget() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  const details = target && target.querySelector("details");
  if (details) details.open = true;
}

document.addEventListener("toggle", event => {
  if (event.target.tagName === "DETAILS" && event.target.open) fillBody(event.target);
}, true);
document.addEventListener("click", event => {
  const button = event.target.closest("th button");
  if (button) sortBy(button.parentNode);
});
document.addEventListener("mouseover", event => {
  const mark = event.target.closest("mark.quote");
  if (mark) showTip(mark);
});
document.addEventListener("mouseout", event => {
  if (event.target.closest("mark.quote") && document.activeElement !== event.target.closest("mark.quote")) hideTip();
});
document.addEventListener("focusin", event => {
  if (event.target.matches("mark.quote")) showTip(event.target); else hideTip();
});
document.addEventListener("focusout", hideTip);
document.addEventListener("keydown", event => { if (event.key === "Escape") hideTip(); });
speakerFilter.addEventListener("change", applyAll);
stanceFilter.addEventListener("change", applyAll);
window.addEventListener("hashchange", openTarget);
document.querySelectorAll("details[open]").forEach(fillBody);
openTarget();
applyAll();
