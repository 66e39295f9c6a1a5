/* Staff library: section-level search over the build-time index in staff/search/ (read with
   <script> tags, so it works from file://, and only the parts a query needs), and grouping,
   filtering and sorting of the policy table. The page is complete without this script; it only
   adds. Words are normalised exactly as src/audience/staff/search.rs does. */
(function () {
  "use strict";

  var page = document.getElementById("library-page");
  var base = page ? page.getAttribute("data-search") : null;

  // --- Loading index files ------------------------------------------------
  var pending = {};
  var loaded = {};
  window.policySearch = {
    loaded: function (name, data) {
      loaded[name] = data;
      if (pending[name]) { pending[name].resolve(data); }
    }
  };
  function load(name) {
    if (loaded[name]) { return Promise.resolve(loaded[name]); }
    if (pending[name]) { return pending[name].promise; }
    var entry = {};
    entry.promise = new Promise(function (resolve, reject) { entry.resolve = resolve; entry.reject = reject; });
    pending[name] = entry;
    var script = document.createElement("script");
    script.src = base + name + ".js";
    script.onerror = function () { entry.reject(new Error("cannot load " + name)); };
    document.head.appendChild(script);
    return entry.promise;
  }

  // --- Words, as the index keeps them --------------------------------------
  function normalise(word) {
    var w = word.toLowerCase();
    var len = Array.from(w).length;
    if (len > 4 && /ies$/.test(w)) { return w.slice(0, -3) + "y"; }
    if (len > 3 && /s$/.test(w) && !/(ss|us|is)$/.test(w)) { return w.slice(0, -1); }
    return w;
  }
  function queryWords(text, stop) {
    var out = [];
    (text.match(/[\p{L}\p{N}]+/gu) || []).forEach(function (raw) {
      if (Array.from(raw).length > 40) { return; }
      var w = normalise(raw);
      if ((Array.from(w).length > 1 || /^\d+$/.test(w)) && stop.indexOf(w) === -1 && out.indexOf(w) === -1) { out.push(w); }
    });
    return out;
  }

  // --- Shards ---------------------------------------------------------------
  function shardOf(manifest, term) {
    var best = -1, bestLen = 0;
    manifest.shards.forEach(function (p, i) {
      if (p.length > bestLen && term.slice(0, p.length) === p) { best = i; bestLen = p.length; }
    });
    return best;
  }
  // The shards a word needs: the one holding it, and (for words of three letters or more, to find
  // longer words it starts) every shard whose prefix it starts.
  function shardsFor(manifest, word) {
    var list = [];
    var own = shardOf(manifest, word);
    if (own >= 0) { list.push(own); }
    if (Array.from(word).length >= 3) {
      manifest.shards.forEach(function (p, i) {
        if (i !== own && p.length > word.length && p.slice(0, word.length) === word) { list.push(i); }
      });
    }
    return list;
  }
  // Postings: per section, its id as the difference from the one before (five bits a character,
  // low bits first; characters from the upper half mean more follow), then its weight.
  var DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  function decode(text) {
    var out = [], id = 0, i = 0;
    while (i < text.length) {
      var delta = 0, shift = 0, d;
      do { d = DIGITS.indexOf(text[i++]); delta += (d & 31) * Math.pow(2, shift); shift += 5; } while (d >= 32);
      id += delta;
      out.push([id, DIGITS.indexOf(text[i++])]);
    }
    return out;
  }

  // Edits from one word to another (a swap of two neighbouring letters counts as one).
  function editDistance(a, b) {
    var before = null, prev = [], cur, i, j, d;
    for (j = 0; j <= b.length; j++) { prev.push(j); }
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      for (j = 1; j <= b.length; j++) {
        d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) { d = Math.min(d, before[j - 2] + 1); }
        cur.push(d);
      }
      before = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  // Scores sections for the words. Exact words count fully, longer words they start count half.
  // Results with every word come first, then those missing some; within each, by score.
  function rank(manifest, words, shards) {
    var sections = {};
    var missing = [];
    words.forEach(function (word, wi) {
      var terms = {};
      shardsFor(manifest, word).forEach(function (n) {
        var data = shards[n] || {};
        Object.keys(data).forEach(function (t) {
          if (t === word) { terms[t] = 1; }
          else if (Array.from(word).length >= 3 && t.slice(0, word.length) === word) { terms[t] = 0.5; }
        });
      });
      var names = Object.keys(terms);
      if (names.length === 0) { missing.push(word); return; }
      names.forEach(function (t) {
        var postings = decode(shards[shardOf(manifest, t)][t]);
        var idf = Math.log(1 + manifest.sections / postings.length);
        postings.forEach(function (p) {
          var s = sections[p[0]] || (sections[p[0]] = { id: p[0], score: 0, words: {} });
          s.score += p[1] * idf * terms[t];
          s.words[wi] = true;
        });
      });
    });
    var list = Object.keys(sections).map(function (k) {
      var s = sections[k];
      s.matched = Object.keys(s.words).length;
      return s;
    });
    list.sort(function (a, b) { return b.matched - a.matched || b.score - a.score || a.id - b.id; });
    return { results: list, missing: missing };
  }

  function suggestions(manifest, word, shards) {
    var found = [];
    shardsFor(manifest, word).forEach(function (n) {
      Object.keys(shards[n] || {}).forEach(function (t) {
        var d = editDistance(word, t);
        if (d > 0 && d <= Math.max(1, Math.floor(word.length / 3))) { found.push([d, -shards[n][t].length, t]); }
      });
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : 1); });
    return found.slice(0, 3).map(function (f) { return f[2]; });
  }

  function chunkOf(manifest, id) { return Math.floor(id / manifest.per_chunk); }

  // --- Showing results -------------------------------------------------------
  function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // The passage: the block of the section with the most query words (the exact phrase first),
  // shortened around the first match.
  function passage(text, words, phrase) {
    var lines = text.split("\n").filter(function (l) { return l.trim(); });
    if (lines.length === 0) { return ""; }
    var best = lines[0], bestScore = -1;
    lines.forEach(function (line) {
      var lower = line.toLowerCase();
      var score = words.filter(function (w) { return lower.indexOf(w) !== -1; }).length;
      if (phrase && lower.indexOf(phrase) !== -1) { score += 100; }
      if (score > bestScore) { best = line; bestScore = score; }
    });
    var lower = best.toLowerCase();
    var at = phrase && lower.indexOf(phrase) !== -1 ? lower.indexOf(phrase) : -1;
    words.forEach(function (w) { var i = lower.indexOf(w); if (at === -1 || (i !== -1 && i < at)) { at = i; } });
    var start = Math.max(0, at - 80);
    // Start and end on word boundaries, never inside a word.
    if (start > 0) { var space = best.indexOf(" ", start); start = space === -1 || space > at ? start : space + 1; }
    var end = Math.min(best.length, start + 260);
    if (end < best.length) { var last = best.lastIndexOf(" ", end); if (last > at) { end = last; } }
    return (start > 0 ? "\u2026" : "") + best.slice(start, end) + (end < best.length ? "\u2026" : "");
  }

  // Appends `text` to `parent` with the query's words marked (never as HTML: text nodes only).
  function appendMarked(parent, text, words) {
    if (words.length === 0) { parent.appendChild(document.createTextNode(text)); return; }
    var pattern = new RegExp("(" + words.map(escapeRegExp).join("|") + ")[\\p{L}\\p{N}]*", "giu");
    var last = 0, m;
    while ((m = pattern.exec(text)) !== null) {
      if (m.index > 0 && /[\p{L}\p{N}]/u.test(text[m.index - 1])) { continue; }
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      parent.appendChild(mark);
      last = m.index + m[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  var PAGE = 10;
  var current = null;

  function showResults(state, from) {
    var list = document.getElementById("search-list");
    var more = document.getElementById("search-more");
    var slice = state.results.slice(from, from + PAGE);
    var chunks = [];
    slice.forEach(function (r) { var c = chunkOf(state.manifest, r.id); if (chunks.indexOf(c) === -1) { chunks.push(c); } });
    return Promise.all(chunks.map(function (c) { return load("s" + c); })).then(function () {
      if (current !== state) { return; }
      var rows = slice.map(function (r) {
        var chunk = loaded["s" + chunkOf(state.manifest, r.id)];
        var row = chunk.sections[r.id % state.manifest.per_chunk];
        return { r: r, row: row, policy: chunk.policies[row[0]], phrase: state.phrase && row[3].toLowerCase().indexOf(state.phrase) !== -1 };
      });
      // On the first page, sections holding the words as typed (a phrase) come first.
      if (from === 0 && state.phrase) {
        rows.sort(function (a, b) { return (b.phrase ? 1 : 0) - (a.phrase ? 1 : 0) || b.r.matched - a.r.matched; });
      }
      rows.forEach(function (item) {
        var row = item.row;
        var policy = item.policy;
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = policy.href + (row[2] ? "#" + row[2] : "");
        a.className = "search-title";
        appendMarked(a, policy.title + (row[1] ? " \u2014 " + row[1] : ""), state.words);
        li.appendChild(a);
        var meta = document.createElement("p");
        meta.className = "search-meta";
        var tag = document.createElement("strong");
        tag.className = "tag tag-" + policy.status;
        tag.textContent = policy.label;
        meta.appendChild(tag);
        if (policy.reference) { meta.appendChild(document.createTextNode(" " + policy.reference)); }
        if (item.r.matched < state.words.length) {
          meta.appendChild(document.createTextNode(" \u00b7 matches " + item.r.matched + " of " + state.words.length + " words"));
        }
        li.appendChild(meta);
        var text = passage(row[3], state.words, state.phrase);
        if (text) {
          var p = document.createElement("p");
          p.className = "search-passage";
          appendMarked(p, text, state.words);
          li.appendChild(p);
        }
        list.appendChild(li);
      });
      var shown = Math.min(from + PAGE, state.results.length);
      more.hidden = shown >= state.results.length;
      state.shown = shown;
    });
  }

  function setStatus(message, suggestionsFor) {
    var status = document.getElementById("search-status");
    var hint = document.getElementById("search-suggest");
    status.textContent = message;
    hint.textContent = "";
    hint.hidden = true;
    if (suggestionsFor && suggestionsFor.length) {
      hint.hidden = false;
      hint.appendChild(document.createTextNode("Did you mean "));
      suggestionsFor.forEach(function (s, i) {
        if (i > 0) { hint.appendChild(document.createTextNode(i === suggestionsFor.length - 1 ? " or " : ", ")); }
        var a = document.createElement("a");
        a.href = "?q=" + encodeURIComponent(s);
        a.textContent = s;
        a.addEventListener("click", function (e) { e.preventDefault(); search(s); });
        hint.appendChild(a);
      });
      hint.appendChild(document.createTextNode("?"));
    }
  }

  function search(query) {
    var section = document.getElementById("search");
    var input = document.getElementById("search-input");
    if (!section || !base) { return; }
    query = query.trim();
    if (input && input.value !== query) { input.value = query; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : window.location.pathname);
    }
    var list = document.getElementById("search-list");
    list.innerHTML = "";
    section.hidden = !query;
    if (!query) { current = null; return; }
    setStatus("Searching\u2026");
    var state = { query: query };
    current = state;
    load("manifest").then(function (manifest) {
      state.manifest = manifest;
      state.words = queryWords(query, manifest.stop);
      state.phrase = state.words.length > 1 ? query.toLowerCase().replace(/\s+/g, " ") : null;
      if (state.words.length === 0) { setStatus("Type a word to search for."); return null; }
      var need = [];
      state.words.forEach(function (w) { shardsFor(manifest, w).forEach(function (n) { if (need.indexOf(n) === -1) { need.push(n); } }); });
      return Promise.all(need.map(function (n) { return load("t" + n).then(function (d) { return [n, d]; }); }));
    }).then(function (pairs) {
      if (!pairs || current !== state) { return; }
      var shards = {};
      pairs.forEach(function (p) { shards[p[0]] = p[1]; });
      var ranked = rank(state.manifest, state.words, shards);
      state.results = ranked.results;
      var hints = [];
      ranked.missing.forEach(function (w) { suggestions(state.manifest, w, shards).forEach(function (s) { if (hints.indexOf(s) === -1) { hints.push(s); } }); });
      var q = "\u201c" + query + "\u201d";
      if (state.results.length === 0) {
        setStatus("No sections match " + q + ".", hints);
        document.getElementById("search-more").hidden = true;
        return;
      }
      var all = state.results.filter(function (r) { return r.matched === state.words.length; }).length;
      var message = state.results.length + (state.results.length === 1 ? " section matches " : " sections match ") + q;
      if (all < state.results.length && state.words.length > 1) {
        message += all === 0 ? "; none has every word, so the closest come first" : ": " + all + " with every word first, then those with some";
      }
      setStatus(message + ".", hints);
      return showResults(state, 0);
    }).catch(function () {
      setStatus("The search index could not be loaded. Browse the library below instead.");
    });
  }

  var form = document.querySelector("form.header-search");
  var more = document.getElementById("search-more");
  if (page && form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      search(document.getElementById("search-input").value);
    });
  }
  if (more) {
    more.addEventListener("click", function () { if (current && current.results) { showResults(current, current.shown || 0); } });
  }
  var params = new URLSearchParams(window.location.search);
  var query = (params.get("q") || "").trim();
  if (page && query) { search(query); }

  // --- Grouping, filtering and sorting ----------------------------------------
  var table = document.getElementById("library");
  var controls = document.getElementById("library-controls");
  if (!table || !controls) { return; }
  controls.hidden = false;
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-title]"));
  var columns = table.tHead.rows[0].cells.length;
  var filterText = document.getElementById("filter-text");
  var filterStatus = document.getElementById("filter-status");
  var filterCategory = document.getElementById("filter-category");
  var filterDirectorate = document.getElementById("filter-directorate");
  var groupBy = document.getElementById("group-by");
  var count = document.getElementById("filter-count");
  var sortKey = "title", ascending = true;

  function value(el) { return el ? el.value : ""; }

  function render() {
    var words = filterText.value.toLowerCase().split(/\s+/).filter(Boolean);
    var status = value(filterStatus), category = value(filterCategory), directorate = value(filterDirectorate);
    var key = value(groupBy);
    var shown = rows.filter(function (row) {
      var hay = (row.dataset.title + " " + row.dataset.reference + " " + row.dataset.owner).toLowerCase();
      return words.every(function (w) { return hay.indexOf(w) !== -1; }) &&
        (!status || row.dataset.status === status) &&
        (!category || row.dataset.category === category) &&
        (!directorate || row.dataset.directorate === directorate);
    });
    shown.sort(function (a, b) {
      var x = (a.dataset[sortKey] || "").toLowerCase(), y = (b.dataset[sortKey] || "").toLowerCase();
      var c = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? c : -c;
    });
    Array.prototype.slice.call(table.tBodies).forEach(function (tb) { table.removeChild(tb); });
    var groups = [], byName = {};
    shown.forEach(function (row) {
      var name = key ? (row.dataset[key] || "") : "";
      if (!byName[name]) { byName[name] = []; groups.push(name); }
      byName[name].push(row);
    });
    groups.sort(function (a, b) { return (a === "") - (b === "") || (a < b ? -1 : a > b ? 1 : 0); });
    groups.forEach(function (name) {
      var tbody = document.createElement("tbody");
      if (key) {
        var tr = document.createElement("tr");
        tr.className = "group-row";
        var th = document.createElement("th");
        th.colSpan = columns;
        th.scope = "rowgroup";
        th.textContent = (name || (key === "category" ? "No category" : "No directorate")) + " (" + byName[name].length + ")";
        tr.appendChild(th);
        tbody.appendChild(tr);
      }
      byName[name].forEach(function (row) { tbody.appendChild(row); });
      table.appendChild(tbody);
    });
    count.textContent = "Showing " + shown.length + " of " + rows.length + " policies";
  }
  [filterText].forEach(function (el) { el.addEventListener("input", render); });
  [filterStatus, filterCategory, filterDirectorate, groupBy].forEach(function (el) { if (el) { el.addEventListener("change", render); } });

  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th) {
    var key = th.dataset.sort;
    if (!key) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = (th.textContent || "").trim();
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      ascending = !(sortKey === key && ascending);
      sortKey = key;
      headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      render();
    });
  });
  render();
}());
