/* Staff library: full-text search (elasticlunr over a build-time index), and sorting and
   filtering of the policy table. The page is complete without this script; it only adds. */
(function () {
  "use strict";

  function text(el) { return (el.textContent || "").trim(); }

  // --- Search -------------------------------------------------------------
  function runSearch(query) {
    var section = document.getElementById("search");
    var list = document.getElementById("search-list");
    var status = document.getElementById("search-status");
    if (!section || !window.policySearch || !window.elasticlunr) { return; }
    var index = elasticlunr.Index.load(window.policySearch.index);
    var docs = window.policySearch.docs;
    var hits = index.search(query, {
      fields: { title: { boost: 4 }, reference: { boost: 4 }, summary: { boost: 2 }, body: { boost: 1 } },
      bool: "AND",
      expand: true
    });
    list.innerHTML = "";
    hits.slice(0, 50).forEach(function (hit) {
      var doc = docs[hit.ref];
      if (!doc) { return; }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = doc.url;
      a.textContent = doc.title;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "search-meta";
      meta.textContent = (doc.reference ? doc.reference + ". " : "") + (doc.summary || "");
      li.appendChild(meta);
      list.appendChild(li);
    });
    status.textContent = hits.length === 0
      ? "No policies match \u201c" + query + "\u201d."
      : hits.length + (hits.length === 1 ? " policy matches" : " policies match") + " \u201c" + query + "\u201d.";
    section.hidden = false;
  }

  var params = new URLSearchParams(window.location.search);
  var query = (params.get("q") || "").trim();
  var input = document.getElementById("search-input");
  if (query) {
    if (input) { input.value = query; }
    runSearch(query);
  }

  // --- Sorting and filtering ----------------------------------------------
  var table = document.getElementById("library");
  var controls = document.getElementById("library-controls");
  if (!table || !controls) { return; }
  controls.hidden = false;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var filterText = document.getElementById("filter-text");
  var filterStatus = document.getElementById("filter-status");
  var count = document.getElementById("filter-count");

  function applyFilter() {
    var words = filterText.value.toLowerCase().split(/\s+/).filter(Boolean);
    var status = filterStatus.value;
    var shown = 0;
    rows.forEach(function (row) {
      var hay = (row.dataset.title + " " + row.dataset.reference + " " + row.dataset.owner).toLowerCase();
      var ok = words.every(function (w) { return hay.indexOf(w) !== -1; }) && (!status || row.dataset.status === status);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = "Showing " + shown + " of " + rows.length + " policies";
  }
  filterText.addEventListener("input", applyFilter);
  filterStatus.addEventListener("change", applyFilter);
  applyFilter();

  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th) {
    var key = th.dataset.sort;
    if (!key) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = text(th);
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = (a.dataset[key] || "").toLowerCase();
        var y = (b.dataset[key] || "").toLowerCase();
        var c = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? c : -c;
      });
      rows.forEach(function (row) { tbody.appendChild(row); });
    });
  });
}());
