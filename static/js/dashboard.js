// County dashboard charts. ECharts is served from static/vendor (copied from npm by `make assets`).
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || typeof echarts === "undefined") { return; }  // tables still carry every figure
  var d = JSON.parse(JSON.parse(node.textContent));
  var L = d.labels;
  var axis = { type: "category", data: d.townships, axisLabel: { interval: 0, rotate: 40 } };
  var grid = { left: 40, right: 10, top: 64, bottom: 80 };
  var charts = [];
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  }
  draw("chart-hazards", {
    title: { text: L.hazards, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" }, legend: { top: 26, left: 0 }, grid: grid, xAxis: axis, yAxis: { type: "value" },
    series: [
      { name: L.found, type: "bar", data: d.found },
      { name: L.rectified, type: "bar", data: d.rectified },
      { name: L.overdue, type: "bar", data: d.overdue, itemStyle: { color: "#b71c1c" } }
    ]
  });
  draw("chart-progress", {
    title: { text: L.progress, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" }, legend: { top: 26, left: 0 }, grid: grid, xAxis: axis,
    yAxis: { type: "value", max: 100 },
    series: [
      { name: L.plan, type: "bar", data: d.plan },
      { name: L.assignment, type: "line", data: d.assignment }
    ]
  });
  draw("chart-incidents", {
    title: { text: L.incidents, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" }, legend: { top: 26, left: 0 }, grid: grid, xAxis: axis,
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: L.this_season, type: "bar", data: d.incidents, itemStyle: { color: "#e65100" } },
      { name: L.last_season, type: "bar", data: d.incidents_last, itemStyle: { color: "#9e9e9e" } }
    ]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
