// Draws every .grid-map-canvas: the grids' boundaries from the GeoJSON in the json_script its data-map attribute
// names (places.maps.grid_map), registered as an ECharts map in the browser: no tile server, nothing fetched from
// outside. Each grid is coloured by the chosen figure; a click on a grid follows its link (the grid's ledger, or
// the claim board filtered to the grid). The same figures are in the list of links beside the map, for reading
// without JavaScript and for screen readers.
// ECharts comes from the page, or (the claim board, where the map opens on demand) from data-echarts.
(function () {
  "use strict";
  var LOW = "#fff1f0", HIGH = "#c8161d", NONE = "#f6f8fa";

  // The boundaries' extent: [west, south, east, north].
  function extent(features) {
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    (function walk(c) {
      if (typeof c[0] === "number") {
        box = [Math.min(box[0], c[0]), Math.min(box[1], c[1]), Math.max(box[2], c[0]), Math.max(box[3], c[1])];
      } else { c.forEach(walk); }
    })(features.features.map(function (f) { return f.geometry.coordinates; }));
    return box;
  }

  // Sizes the canvas to the grids' shape (a degree of longitude is shorter than one of latitude by cos(latitude)),
  // and says where the map goes so that ECharts keeps that shape instead of stretching it to the box.
  function layout(el, spec, legend) {
    var box = extent(spec.features), scale = Math.cos((box[1] + box[3]) / 2 * Math.PI / 180);
    var aspect = Math.max(box[2] - box[0], 1e-6) / Math.max(box[3] - box[1], 1e-6) * scale;
    var width = el.clientWidth - legend - 4, tallest = window.innerWidth < 480 ? 340 : 420;
    var fit = { aspectScale: scale };
    if (width / aspect <= tallest) {  // as wide as the box; as tall as the shape makes it
      el.style.height = Math.max(width / aspect + 8, 160) + "px";
      return Object.assign(fit, { left: legend, right: 4, top: 4 });
    }
    el.style.height = tallest + "px";  // a tall shape: as tall as allowed, centred
    return Object.assign(fit, { top: 4, bottom: 4, left: "center" });
  }

  function option(el, spec, metric, place) {
    var label = spec.metrics[metric].label;
    var data = spec.areas.map(function (a) {
      var item = { name: a.code, value: a.values[metric], area: a };
      if (a.code === spec.selected) { item.itemStyle = { borderColor: "#1f2328", borderWidth: 3 }; }  // filtered to it
      return item;
    });
    var max = Math.max.apply(null, [1].concat(data.map(function (d) { return d.value; })));
    var narrow = el.clientWidth < 480;
    return {
      // ECharts' aria writes its own description over the element's aria-label: keep the page's caption.
      aria: { enabled: true, label: { description: el.getAttribute("aria-label") } }, animation: false,
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif" },
      tooltip: { trigger: "item", confine: true, formatter: function (p) {
        return p.data ? echarts.format.encodeHTML(p.data.area.name) + "<br>" + echarts.format.encodeHTML(label) +
          "：" + p.data.value : "";
      } },
      visualMap: { type: "continuous", min: 0, max: max, left: 0, bottom: 0, itemWidth: 12, itemHeight: narrow ? 80 : 120,
        text: [String(max), "0"], calculable: false, inRange: { color: [LOW, HIGH] }, textStyle: { fontSize: 11 } },
      series: [Object.assign({
        type: "map", map: el.getAttribute("data-map"), roam: false, selectedMode: false, data: data,
        itemStyle: { areaColor: NONE, borderColor: "#fff", borderWidth: 1 },
        // A phone has room for the figure only; the name is in the tooltip (a tap) and the table below.
        label: { show: true, fontSize: narrow ? 11 : 12, color: "#1f2328", textBorderColor: "#fff", textBorderWidth: 2,
          formatter: function (p) {
            return p.data ? (narrow ? String(p.data.value) : p.data.area.short + "\n" + p.data.value) : "";
          } },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffd8a8" } }
      }, place)]
    };
  }

  function draw(el) {
    if (el.getAttribute("data-drawn")) { return; }
    var source = document.getElementById(el.getAttribute("data-map"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    echarts.registerMap(el.getAttribute("data-map"), spec.features);
    var legend = el.clientWidth < 480 ? 28 : 40;
    var place = layout(el, spec, legend);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var metric = 0;
    chart.setOption(option(el, spec, metric, place));
    chart.on("click", function (p) { if (p.data && p.data.area.url) { window.location.href = p.data.area.url; } });
    var box = el.closest(".grid-map");
    box.querySelectorAll("button[data-metric]").forEach(function (button) {
      button.addEventListener("click", function () {
        metric = Number(button.getAttribute("data-metric"));
        box.querySelectorAll("button[data-metric]").forEach(function (b) {
          b.setAttribute("aria-pressed", String(b === button));
        });
        chart.setOption(option(el, spec, metric, place), true);
      });
    });
    window.addEventListener("resize", function () {
      place = layout(el, spec, legend);
      chart.resize();
      chart.setOption(option(el, spec, metric, place), true);
    });
    el.setAttribute("data-drawn", "true");
  }

  var waiting = null;  // maps found while ECharts loads

  function drawIn(root) {
    var maps = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll(".grid-map-canvas[data-map]")) : [];
    if (!maps.length) { return; }
    if (window.echarts) { maps.forEach(draw); return; }
    if (waiting) { waiting.push.apply(waiting, maps); return; }
    waiting = maps;
    var script = document.createElement("script");
    script.src = maps[0].getAttribute("data-echarts");
    script.onload = function () { waiting.forEach(draw); waiting = null; };
    document.head.appendChild(script);
  }

  document.addEventListener("htmx:load", function (event) { drawIn(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawIn(document); });
  } else { drawIn(document); }
})();
