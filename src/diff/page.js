(function () {
  "use strict";
  // Document text only ever becomes text nodes (append(string), textContent), never markup.
  var DOCS = JSON.parse(document.getElementById("tw-docs").textContent);
  var PAGE = 200;
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function state() {
    var p = new URLSearchParams(location.hash.slice(1));
    var rules = (p.get("rules") || "").split(",").filter(Boolean);
    var doc = parseInt(p.get("doc") || "-1", 10);
    var page = parseInt(p.get("page") || "0", 10);
    return { rules: rules, doc: isNaN(doc) ? -1 : doc, page: isNaN(page) ? 0 : page };
  }
  function hashOf(s) {
    var p = new URLSearchParams();
    if (s.rules.length) p.set("rules", s.rules.join(","));
    if (s.doc >= 0) p.set("doc", String(s.doc));
    if (s.page) p.set("page", String(s.page));
    return "#" + p.toString();
  }
  function go(s) { location.hash = hashOf(s); }
  function touches(d, rules) {
    if (!rules.length) return true;
    return rules.some(function (r) { return Object.prototype.hasOwnProperty.call(d.counts, r); });
  }
  function active(rules, filter) {
    return !filter.length || rules.some(function (r) { return filter.indexOf(r) >= 0; });
  }
  function render() {
    var s = state();
    document.body.setAttribute("data-filter", s.rules.join(","));
    Array.prototype.forEach.call(document.querySelectorAll("input.rule"), function (cb) {
      cb.checked = s.rules.indexOf(cb.value) >= 0;
    });
    var shown = [];
    DOCS.forEach(function (d, i) { if (touches(d, s.rules)) shown.push(i); });
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    var page = Math.min(Math.max(s.page, 0), pages - 1);
    var at = shown.indexOf(s.doc);
    if (at >= 0) page = Math.floor(at / PAGE);
    var cur = at >= 0 ? s.doc : (shown.length ? shown[page * PAGE] : -1);
    var list = $("tw-list");
    list.replaceChildren();
    shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (i) {
      var d = DOCS[i];
      var n = 0;
      Object.keys(d.counts).forEach(function (r) { if (active([r], s.rules)) n += d.counts[r]; });
      var a = el("a", i === cur ? "cur" : "", d.name);
      a.href = hashOf({ rules: s.rules, doc: i, page: page });
      a.title = d.name;
      var li = el("li");
      li.append(a, el("span", "n", String(n)));
      list.append(li);
    });
    $("tw-pageinfo").textContent = shown.length + " document" + (shown.length === 1 ? "" : "s") +
      (s.rules.length ? " touched by " + s.rules.join(", ") : "") +
      (pages > 1 ? " \u00b7 page " + (page + 1) + " of " + pages : "");
    $("tw-prev").disabled = page <= 0;
    $("tw-next").disabled = page >= pages - 1;
    $("tw-prev").onclick = function () { go({ rules: s.rules, doc: -1, page: page - 1 }); };
    $("tw-next").onclick = function () { go({ rules: s.rules, doc: -1, page: page + 1 }); };
    var left = $("tw-input"), right = $("tw-output");
    left.replaceChildren();
    right.replaceChildren();
    $("tw-docname").textContent = cur >= 0 ? DOCS[cur].name : "No document matches the filter.";
    if (cur < 0) return;
    var l = document.createDocumentFragment(), r = document.createDocumentFragment();
    DOCS[cur].segs.forEach(function (seg) {
      if (typeof seg === "string") { l.append(seg); r.append(seg); return; }
      var before = seg[0], after = seg[1], rules = seg[2], ws = seg[3] === 1;
      if (!active(rules, s.rules)) { l.append(before); r.append(after); return; }
      var label = rules.join(", ");
      var d = el("del", ws ? "e ws" : "e");
      d.setAttribute("data-rules", label);
      d.title = label;
      // Name each artefact inside the edit by its own rule when the log can tell them apart.
      var named = 0;
      (seg[4] || [before]).forEach(function (p) {
        if (typeof p === "string") { d.append(p); return; }
        if (!active([p[1]], s.rules)) { d.append(p[0]); return; }
        // The label goes before the piece's line break, on the line it names.
        var text = p[0], nl = text.slice(-1) === "\n" ? "\n" : "";
        var m = el("span", "m", text.slice(0, text.length - nl.length));
        m.setAttribute("data-rule", p[1]);
        m.title = p[1];
        d.append(m, el("span", "lbl", p[1]), nl);
        named++;
      });
      l.append(d);
      if (!ws && !named) l.append(el("span", "lbl", label));
      var n = el("ins", ws ? "e ws" : "e", after);
      n.setAttribute("data-rules", label);
      n.title = label;
      r.append(n);
    });
    left.append(l);
    right.append(r);
  }
  Array.prototype.forEach.call(document.querySelectorAll("input.rule"), function (cb) {
    cb.addEventListener("change", function () {
      var rules = Array.prototype.filter.call(document.querySelectorAll("input.rule"), function (c) {
        return c.checked;
      }).map(function (c) { return c.value; });
      go({ rules: rules, doc: state().doc, page: 0 });
    });
  });
  $("tw-all").addEventListener("click", function (e) { e.preventDefault(); go({ rules: [], doc: state().doc, page: 0 }); });
  window.addEventListener("hashchange", render);
  render();
})();
