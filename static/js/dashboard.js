// County dashboard charts. ECharts is served from static/vendor (copied from npm by `make assets`).
// Per-township figures are horizontal bars, largest on top (the view sorts them): nineteen
// township names read down a column, where across an axis they would overlap.
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || typeof echarts === "undefined") { return; }  // tables still carry every figure
  var d = JSON.parse(JSON.parse(node.textContent));
  var L = d.labels;
  // On paper a chart is a third of an A4 landscape page (dashboard.css: 135mm high), in CSS px.
  var PRINT = { width: 330, height: 500 };
  var charts = [];

  function draw(id, townships, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    // Room for three bars a township (34px), so that names never crowd; the same for every chart,
    // which stand side by side.
    el.style.height = Math.max(340, 90 + townships.length * 34) + "px";
    option.animation = false;  // printing and the PDF must see the finished chart
    option.title = {
      text: option.title, left: 0, top: 0,
      textStyle: { fontSize: 14, width: Math.max(el.clientWidth - 16, 200), overflow: "truncate" }
    };
    // The legend on its own line under the title, never over it.
    option.legend = { top: 28, left: 0, itemWidth: 14, itemHeight: 10 };
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" } };
    option.grid = { left: 4, right: 24, top: 62, bottom: 8, containLabel: true };
    option.yAxis = {
      type: "category", data: townships, inverse: true,  // the first (largest) on top
      axisTick: { show: false }, axisLabel: { interval: 0, fontSize: 12 }
    };
    var chart = echarts.init(el, null, { renderer: "svg" });
    // A viewBox lets the drawing scale to the box it is printed in, whatever size it was drawn at
    // (a browser that prints without telling the page first, or a page printed at a new width).
    chart.on("finished", function () {
      var svg = el.querySelector("svg");
      if (svg) {
        svg.setAttribute("viewBox", "0 0 " + chart.getWidth() + " " + chart.getHeight());
        svg.setAttribute("preserveAspectRatio", "xMidYMin meet");
      }
    });
    chart.setOption(option);
    charts.push(chart);
  }

  draw("chart-hazards", d.hazards.townships, {
    title: L.hazards,
    xAxis: { type: "value", minInterval: 1 },  // hazards are counted: no 0.5 ticks
    series: [
      { name: L.found, type: "bar", data: d.hazards.found, itemStyle: { color: "#1f5fa8" } },
      { name: L.rectified, type: "bar", data: d.hazards.rectified, itemStyle: { color: "#2e7d32" } },
      { name: L.overdue, type: "bar", data: d.hazards.overdue, itemStyle: { color: "#b71c1c" } }
    ]
  });
  draw("chart-progress", d.progress.townships, {
    title: L.progress,
    xAxis: { type: "value", min: 0, max: 100, interval: 20 },
    series: [
      { name: L.plan, type: "bar", data: d.progress.plan, itemStyle: { color: "#1f5fa8" } },
      { name: L.assignment, type: "bar", data: d.progress.assignment, itemStyle: { color: "#ef6c00" } }
    ]
  });
  draw("chart-incidents", d.incidents.townships, {
    title: L.incidents,
    xAxis: { type: "value", minInterval: 1 },
    series: [
      { name: L.this_period, type: "bar", data: d.incidents.this, itemStyle: { color: "#b71c1c" } },
      { name: L.last_year, type: "bar", data: d.incidents.last, itemStyle: { color: "#9e9e9e" } }
    ]
  });

  function fit() { charts.forEach(function (c) { c.resize(); }); }
  // The print layout is not applied yet when beforeprint fires: draw at the printed size, and let
  // the SVG's viewBox (dashboard.css) take up any difference; back to the screen afterwards.
  function toPaper() { charts.forEach(function (c) { c.resize(PRINT); }); }
  window.addEventListener("resize", fit);
  window.addEventListener("beforeprint", toPaper);
  window.addEventListener("afterprint", fit);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    var onChange = function (e) { if (e.matches) { toPaper(); } else { fit(); } };
    if (print.addEventListener) { print.addEventListener("change", onChange); } else { print.addListener(onChange); }
  }
})();
