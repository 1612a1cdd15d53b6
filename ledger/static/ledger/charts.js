// Draws every .ledger-chart from the JSON its data-chart attribute names (Django's json_script).
// The figures are also in a table next to each chart, for screen readers and for reading without JavaScript.
(function () {
  "use strict";
  var RED = ["#c8102e", "#f08c00", "#2b8a3e", "#1c7ed6", "#7048e8", "#e64980", "#0c8599", "#868e96"];

  function option(spec, dark, narrow) {
    var text = dark ? "#e9ecef" : "#333";
    var base = {
      color: RED, aria: { enabled: true }, animation: false,
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif", color: text },
      tooltip: { trigger: spec.type === "pie" ? "item" : "axis", confine: true },
      legend: { top: 0, textStyle: { color: text }, type: "scroll" }
    };
    if (spec.type === "pie") {
      var data = spec.labels.map(function (label, i) { return { name: label, value: spec.series[0].data[i] }; })
        .filter(function (d) { return d.value > 0; });
      var values = {};
      data.forEach(function (d) { values[d.name] = d.value; });
      // The legend carries the values, so a narrow chart can drop the labels around the ring.
      base.legend.formatter = function (name) { return name + " " + values[name]; };
      base.series = [{ type: "pie", radius: ["30%", "58%"], center: ["50%", "56%"], avoidLabelOverlap: true,
        label: { show: !narrow, color: text, formatter: "{b}\n{c}" }, data: data }];
      return base;
    }
    var horizontal = spec.type === "bar" && spec.labels.length > 6;
    // Bars name every category; a month axis lets ECharts skip labels that would overlap.
    var categoryAxis = { type: "category", data: spec.labels, axisLabel: { color: text, hideOverlap: true,
      interval: spec.type === "line" ? "auto" : 0, width: horizontal ? 110 : 80, overflow: "truncate",
      rotate: spec.type === "bar" && !horizontal && spec.labels.length > 4 ? 30 : 0 } };
    var valueAxis = { type: "value", minInterval: 1, axisLabel: { color: text },
      splitLine: { lineStyle: { color: dark ? "#343a40" : "#eee" } } };
    base.grid = { left: 8, right: 16, top: 40, bottom: 8, containLabel: true };
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
      chart.setOption(option(JSON.parse(source.textContent), el.getAttribute("data-theme") === "dark",
        el.clientWidth < 480));
      el.setAttribute("data-drawn", "true");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
