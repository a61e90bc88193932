/* cnncalc report: fold and open blocks, select nodes, sort the table. The placement rules are those of
   cnncalc/render/layout.py (place, visible_edges), applied again here when a block is folded or opened. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("layout").textContent);
  var S = data.sizes, svg = document.getElementById("graph");
  var items = {}, parent = {}, size = {}, boxes = {};
  var expanded = new Set(JSON.parse(svg.dataset.expanded));
  var selected = null;
  (function index(it, p) {
    items[it.id] = it; parent[it.id] = p;
    (it.ch || []).forEach(function (c) { index(c, it); });
  })(data.root, null);

  function collapsed(it) { return !!it.c && !expanded.has(it.id); }
  function split(it, kids) {
    var ch = it.ch || [];
    if (ch.length && ch[ch.length - 1].k === "node") return [kids.slice(0, -1), kids[kids.length - 1]];
    return [kids, null];
  }
  function measure(it) {
    var s;
    if (it.k === "node" || collapsed(it)) s = [S.node[0], S.node[1]];
    else if (it.k === "gap") s = [S.gap, 0];
    else {
      var kids = (it.ch || []).map(measure), w, h;
      if (it.k === "par") {
        var sp = split(it, kids), br = sp[0], m = sp[1];
        w = br.reduce(function (a, k) { return a + k[0]; }, 0) + S.hgap * Math.max(br.length - 1, 0);
        h = br.reduce(function (a, k) { return Math.max(a, k[1]); }, 0);
        if (m) { w = Math.max(w, m[0]); h = h + S.vgap + m[1]; }
      } else {
        w = kids.length ? Math.max.apply(null, kids.map(function (k) { return k[0]; })) : S.node[0];
        h = kids.reduce(function (a, k) { return a + k[1]; }, 0) + S.vgap * Math.max(kids.length - 1, 0);
      }
      if (it.c) { w += 2 * S.pad; h += 2 * S.pad + S.label; }
      s = [w, h];
    }
    size[it.id] = s;
    return s;
  }
  function put(it, x, y, width) {
    var w = size[it.id][0], h = size[it.id][1], left = x + Math.floor((width - w) / 2);
    boxes[it.id] = [left, y, w, h];
    if (it.k === "node" || it.k === "gap" || collapsed(it)) return;
    var ix = left, iy = y, iw = w;
    if (it.c) { ix = left + S.pad; iy = y + S.pad + S.label; iw = w - 2 * S.pad; }
    if (it.k === "par") {
      var sp = split(it, it.ch), br = sp[0], m = sp[1];
      var rw = br.reduce(function (a, b) { return a + size[b.id][0]; }, 0) + S.hgap * Math.max(br.length - 1, 0);
      var rh = br.reduce(function (a, b) { return Math.max(a, size[b.id][1]); }, 0);
      var bx = ix + Math.floor((iw - rw) / 2);
      br.forEach(function (b) {
        var bw = size[b.id][0];
        if (b.k === "gap") boxes[b.id] = [bx, iy, bw, rh]; else put(b, bx, iy, bw);
        bx += bw + S.hgap;
      });
      if (m) put(m, ix, iy + rh + S.vgap, iw);
      return;
    }
    var cy = iy;
    (it.ch || []).forEach(function (c) { put(c, ix, cy, iw); cy += size[c.id][1] + S.vgap; });
  }
  function visible(id) {
    var shown = id, p = parent[id];
    while (p) { if (collapsed(p)) shown = p.id; p = parent[p.id]; }
    return shown;
  }
  function el(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  function g(n) { return +n.toFixed(6); }
  /* layout.route: a curve; down an empty branch's column; or around the nodes between, in a lane */
  function route(a, b, v, nodes, lane) {
    var sx = a[0] + a[2] / 2, sy = a[1] + a[3], tx = b[0] + b[2] / 2, ty = b[1];
    if (v) {
      var gx = v[0] + v[2] / 2, top = v[1], bottom = v[1] + v[3];
      return { d: "M" + g(sx) + "," + sy + " C" + g(sx) + "," + top + " " + g(gx) + "," + sy + " " + g(gx) + "," +
        top + " V" + bottom + " C" + g(gx) + "," + ty + " " + g(tx) + "," + bottom + " " + g(tx) + "," + ty,
        x: gx + 3, y: top + v[3] / 2 };
    }
    var between = [];
    if (ty - sy >= S.node[1]) {
      var lo = Math.min(sx, tx), hi = Math.max(sx, tx);
      nodes.forEach(function (n) {
        if (n[1] >= sy && n[1] + n[3] <= ty && n[0] <= hi && n[0] + n[2] >= lo && n !== a && n !== b) between.push(n);
      });
    }
    if (!between.length) {
      var mid = (sy + ty) / 2;
      return { d: "M" + g(sx) + "," + sy + " C" + g(sx) + "," + g(mid) + " " + g(tx) + "," + g(mid) + " " + g(tx) +
        "," + ty, x: sx + 4, y: sy + 13 };
    }
    var drop = Math.max.apply(null, between.map(function (n) { return n[1] + n[3]; }));
    var blocked = nodes.some(function (n) {
      return n[1] >= sy && n[1] < drop && n[0] <= sx && n[0] + n[2] >= sx && n !== a && n !== b;
    });
    if (!blocked) {
      var m = (drop + ty) / 2;
      return { d: "M" + g(sx) + "," + sy + " V" + g(drop) + " C" + g(sx) + "," + g(m) + " " + g(tx) + "," + g(m) +
        " " + g(tx) + "," + ty, x: sx + 4, y: sy + 13 };
    }
    var x = Math.max.apply(null, between.map(function (n) { return n[0] + n[2]; }).concat([a[0] + a[2], b[0] + b[2]]));
    x += 24 + 8 * (lane % 5);
    var ax = a[0] + a[2], ay = a[1] + a[3] / 2, bx = b[0] + b[2], by = b[1] + b[3] / 2;
    return { d: "M" + ax + "," + g(ay) + " C" + x + "," + g(ay) + " " + x + "," + g(ay) + " " + x + "," + g(ay + 20) +
      " V" + g(by - 20) + " C" + x + "," + g(by) + " " + x + "," + g(by) + " " + bx + "," + g(by),
      x: x + 3, y: (ay + by) / 2, around: true };
  }
  function layout() {
    size = {}; boxes = {};
    measure(data.root);
    var w = size[data.root.id][0], h = size[data.root.id][1];
    put(data.root, S.margin, S.margin, w);
    var W = w + 2 * S.margin + S.lanes, H = h + 2 * S.margin;
    svg.setAttribute("width", W); svg.setAttribute("height", H); svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    Object.keys(items).forEach(function (id) {
      var it = items[id], b = boxes[id], node = document.getElementById(id), frame = document.getElementById("f" + id);
      if (node) {
        var on = !!b && (it.k === "node" || collapsed(it));
        node.setAttribute("transform", on ? "translate(" + b[0] + "," + b[1] + ")" : "translate(0,0)");
        if (on) node.removeAttribute("display"); else node.setAttribute("display", "none");
      }
      if (frame) {
        var open = !!b && !collapsed(it);
        [frame, document.getElementById("l" + id)].forEach(function (part) {
          part.setAttribute("transform", open ? "translate(" + b[0] + "," + b[1] + ")" : "translate(0,0)");
          if (open) part.removeAttribute("display"); else part.setAttribute("display", "none");
        });
        if (open) {
          frame.firstElementChild.setAttribute("width", b[2]);
          frame.firstElementChild.setAttribute("height", b[3]);
        }
      }
    });
    var edges = document.getElementById("edges"), seen = new Set(), labelled = new Set(), lanes = 0;
    var nodes = Object.keys(boxes).filter(function (id) {
      return items[id].k === "node" || collapsed(items[id]);
    }).map(function (id) { return boxes[id]; });
    while (edges.firstChild) edges.removeChild(edges.firstChild);
    data.edges.forEach(function (e) {
      var a = visible(e[0]), b = visible(e[1]), via = boxes[e[3]] ? e[3] : "", key = [a, b, e[2], via].join(" ");
      if (a === b || seen.has(key)) return;
      seen.add(key);
      var way = route(boxes[a], boxes[b], via ? boxes[via] : null, nodes, lanes);
      if (way.around) lanes += 1;
      edges.appendChild(el("path", { "class": "edge", d: way.d }));
      var at = (via || a) + " " + e[2];
      if (labelled.has(at)) return;  // a fork's branches share one label at their source
      labelled.add(at);
      edges.appendChild(el("text", { "class": "elabel", x: g(way.x), y: g(way.y) }, e[2]));
    });
    if (selected) mark(selected);
  }
  function mark(id) {
    document.querySelectorAll(".node.sel, tr.sel").forEach(function (n) { n.classList.remove("sel"); });
    selected = id;
    var node = document.getElementById(id), row = document.querySelector('tr[data-id="' + id + '"]');
    if (node) node.classList.add("sel");
    if (row) row.classList.add("sel");
  }
  function select(id, scroll) {
    mark(id);
    var tpl = document.getElementById("t" + id), panel = document.getElementById("details");
    if (tpl) {
      panel.replaceChildren(tpl.content.cloneNode(true));
      panel.dataset.node = id;
      var facts = panel.querySelector("[data-row]"), row = document.querySelector('tr[data-id="' + id + '"]');
      if (facts && row) {
        var heads = row.closest("table").tHead.rows[0].cells;
        for (var i = 2; i < row.cells.length; i++) {  // not the # and the name
          if (!row.cells[i].textContent) continue;
          facts.appendChild(document.createElement("dt")).textContent = heads[i].textContent;
          facts.appendChild(document.createElement("dd")).textContent = row.cells[i].textContent;
        }
      }
      panel.querySelectorAll("[data-pic]").forEach(function (slot) {
        slot.replaceChildren(document.getElementById("pic" + slot.dataset.pic).content.cloneNode(true));
      });
    }
    var node = document.getElementById(id);
    if (scroll && node) node.scrollIntoView({ block: "center", inline: "center" });
  }
  function toggle(id) {
    if (expanded.has(id)) expanded.delete(id); else expanded.add(id);
    var node = document.getElementById(id);
    if (node) node.setAttribute("aria-expanded", expanded.has(id) ? "true" : "false");
    layout();
  }
  function reveal(id) {
    var p = parent[id], changed = false;
    while (p) { if (collapsed(p)) { expanded.add(p.id); changed = true; } p = parent[p.id]; }
    if (changed) layout();
    select(id, true);
    var node = document.getElementById(id);
    if (node) node.focus({ preventScroll: true });
  }
  function activate(target) {
    var fold = target.closest("[data-fold]");
    if (fold) {
      var id = fold.dataset.fold;
      toggle(id);
      select(id, false);
      document.getElementById(id).focus();
      return;
    }
    var node = target.closest(".node");
    if (!node) return;
    var it = items[node.id];
    if (it && it.c && collapsed(it)) {
      toggle(node.id);
      select(node.id, false);
      var label = document.querySelector('[data-fold="' + node.id + '"]');
      if (label) label.focus();
      return;
    }
    select(node.id, false);
  }
  svg.addEventListener("click", function (ev) { activate(ev.target); });
  svg.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); activate(ev.target); }
  });
  document.addEventListener("click", function (ev) {
    var go = ev.target.closest("a[data-go]");
    if (!go) return;
    ev.preventDefault();
    reveal(go.dataset.go);
  });
  document.querySelectorAll(".layers th button").forEach(function (button) {
    button.addEventListener("click", function () {
      var th = button.parentElement, col = +button.dataset.col, table = th.closest("table");
      var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      table.querySelectorAll("th[aria-sort]").forEach(function (t) { t.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", dir);
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var key = function (r) {
        var c = r.cells[col];
        return c.dataset.v !== undefined ? +c.dataset.v : c.textContent;
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var d = typeof x === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
        return dir === "ascending" ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  window.cnncalcReport = { layout: layout, boxes: function () { return boxes; }, expanded: expanded, reveal: reveal };
})();
