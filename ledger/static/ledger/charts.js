// Draws every .ledger-chart from the JSON its data-chart attribute names (Django's json_script).
// The figures are also in a table next to each chart, for screen readers and for reading without JavaScript.
(function () {
  "use strict";
  var RED = ["#c8102e", "#f08c00", "#2b8a3e", "#1c7ed6", "#7048e8", "#e64980", "#0c8599", "#868e96"];

  // A tooltip built as elements, not as HTML text: ECharts' own markers are spans with a style attribute, which
  // the Content-Security-Policy refuses (style-src 'self', core/middleware.py); a colour set through the DOM is not
  // an inline style. Text goes in as text, so nothing needs escaping.
  function tip(title, lines) {
    var box = document.createElement("div");
    box.appendChild(document.createTextNode(title));
    lines.forEach(function (line) {
      var row = document.createElement("div"), dot = document.createElement("span"), value = document.createElement("b");
      dot.className = "chart-dot";
      dot.style.backgroundColor = line.color;
      value.textContent = line.value;
      row.appendChild(dot);
      if (line.name) { row.appendChild(document.createTextNode(line.name + " ")); }
      row.appendChild(value);
      if (line.after) { row.appendChild(document.createTextNode(line.after)); }
      box.appendChild(row);
    });
    return box;
  }

  // The tooltip names the row in full: axis labels are shortened on the server (ledger/charts.py short_labels).
  function tooltip(spec) {
    var names = spec.names || spec.labels;
    return function (params) {
      var items = [].concat(params);
      return tip(names[items[0].dataIndex] || items[0].name, items.map(function (p) {
        return { color: p.color, name: items.length > 1 || spec.type !== "pie" ? p.seriesName : "", value: p.value };
      }));
    };
  }

  function option(spec, dark, el, size) {
    var narrow = el.clientWidth < 480;
    var text = dark ? "#e9ecef" : "#333";
    var base = {
      // ECharts' aria writes its own description over the element's aria-label: keep the page's (the chart's
      // title and where its table is; the table names every row in full).
      color: RED, aria: { enabled: true, label: { description: el.getAttribute("aria-label") } }, animation: false,
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif", color: text,
        fontSize: size },
      tooltip: { trigger: spec.type === "pie" ? "item" : "axis", confine: true, formatter: tooltip(spec),
        textStyle: { fontSize: size } },
      legend: { top: 0, textStyle: { color: text, fontSize: size }, type: "scroll" }
    };
    if (spec.type === "pie") {
      // dataIndex counts the slices drawn: keep each slice's full name with it.
      var full = spec.names || spec.labels;
      var data = spec.labels.map(function (label, i) { return { name: label, value: spec.series[0].data[i], full: full[i] }; })
        .filter(function (d) { return d.value > 0; });
      base.tooltip.formatter = function (p) {
        return tip(p.data.full, [{ color: p.color, value: p.value, after: " (" + p.percent + "%)" }]);
      };
      var values = {};
      data.forEach(function (d) { values[d.name] = d.value; });
      // The legend carries the values, so a narrow chart can drop the labels around the ring.
      base.legend.formatter = function (name) { return name + " " + values[name]; };
      base.series = [{ type: "pie", radius: ["30%", "58%"], center: ["50%", "56%"], avoidLabelOverlap: true,
        label: { show: !narrow, color: text, fontSize: size, formatter: "{b}\n{c}" }, data: data }];
      return base;
    }
    var horizontal = spec.type === "bar" && spec.labels.length > 6;
    // Rows of a horizontal bar chart each get a label: smaller text where the rows are tight (the big screen).
    var labelSize = horizontal ? Math.max(8, Math.min(size, Math.floor((el.clientHeight - size * 5) / spec.labels.length)))
      : size;
    // Bars name every category; a month axis lets ECharts skip labels that would overlap.
    // A label is at most 6 characters wide (short_labels), given 6.5: shown whole, never truncated into another.
    var categoryAxis = { type: "category", data: spec.labels, axisLabel: { color: text, hideOverlap: true,
      interval: spec.type === "line" ? "auto" : 0, width: labelSize * 6.5, overflow: "truncate", fontSize: labelSize,
      rotate: spec.type === "bar" && !horizontal && spec.labels.length > 4 ? 30 : 0 } };
    var valueAxis = { type: "value", minInterval: 1, axisLabel: { color: text, fontSize: size },
      splitLine: { lineStyle: { color: dark ? "#343a40" : "#eee" } } };
    // A slanted first label reaches left of its bar: room for it (containLabel does not count it).
    var slanted = categoryAxis.axisLabel.rotate !== 0;
    base.grid = { left: slanted ? size * 3 : 8, right: 16, top: size * 3, bottom: 8, containLabel: true };
    base.xAxis = horizontal ? valueAxis : categoryAxis;
    base.yAxis = horizontal ? Object.assign({}, categoryAxis, { inverse: true }) : valueAxis;
    base.series = spec.series.map(function (s) {
      return { name: s.name, type: spec.type === "line" ? "line" : "bar", data: s.data, smooth: false,
        barMaxWidth: 28, symbolSize: 6 };
    });
    return base;
  }

  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll(".ledger-chart[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      var spec = JSON.parse(source.textContent), dark = el.getAttribute("data-theme") === "dark";
      // The big screen is laid out for 1920 × 1080 and scaled to the screen it hangs on: its text with it.
      var size = function () { return dark ? Math.max(10, Math.round(16 * Math.min(innerWidth / 1920, innerHeight / 1080))) : 12; };
      chart.setOption(option(spec, dark, el, size()));
      el.setAttribute("data-drawn", "true");
      window.addEventListener("resize", function () {
        chart.setOption(option(spec, dark, el, size()), true);
        chart.resize();
      });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
