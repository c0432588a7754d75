// The county map. ECharts is served from static/vendor (copied from npm by `make assets`); the
// township boundaries come from the page (uploaded by the guidance center): no tiles from outside.
(function () {
  "use strict";
  var node = document.getElementById("map-data");
  var el = document.getElementById("county-map");
  if (!node || !el || typeof echarts === "undefined") { return; }  // the table still lists what matters
  var d = JSON.parse(node.textContent);
  var L = d.labels;
  echarts.registerMap("county", d.boundaries);

  var RISK_COLOURS = ["#c62828", "#ef8f00", "#2e7d32"];
  function byRisk(level) {
    return d.premises.filter(function (p) { return p[4] === level; });
  }
  function premisesTip(p) {
    var lines = [p[2] + "（" + p[3] + "）", L.risk[p[4]]];
    if (p[5]) { lines.push(L.hazards + " " + p[5] + "，" + L.overdue_count + " " + p[6] + "，" + L.major_count + " " + p[7]); }
    lines.push(L.nearest + "：" + (p[9] ? p[9] + " " + p[8] + " " + L.km : L.none));
    return lines.map(echarts.format.encodeHTML).join("<br>");
  }
  var series = [];
  L.risk.forEach(function (label, level) {
    series.push({
      name: label, type: "scatter", coordinateSystem: "geo", symbolSize: 7, z: 3,
      itemStyle: { color: RISK_COLOURS[level], opacity: 0.85 },
      data: byRisk(level).map(function (p) { return { value: [p[0], p[1]], p: p }; })
    });
  });
  function withHazards(test, name, symbol, colour, size) {
    series.push({
      name: name, type: "scatter", coordinateSystem: "geo", symbol: symbol, symbolSize: size, z: 4,
      itemStyle: { color: "rgba(0,0,0,0)", borderColor: colour, borderWidth: 2 },
      data: d.premises.filter(test).map(function (p) { return { value: [p[0], p[1]], p: p }; })
    });
  }
  withHazards(function (p) { return p[5] > 0; }, L.open, "circle", "#6a1b9a", 14);
  withHazards(function (p) { return p[6] > 0; }, L.overdue, "diamond", "#b71c1c", 18);
  withHazards(function (p) { return p[7] > 0; }, L.major, "triangle", "#000", 20);
  series.push({
    name: L.coverage, type: "lines", coordinateSystem: "geo", polyline: true, silent: true, z: 2,
    lineStyle: { color: "#1f5fa8", width: 1, type: "dashed", opacity: 0.8 },
    data: d.circles.map(function (ring) { return { coords: ring }; })
  });
  series.push({
    name: L.brigades, type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 26, z: 5,
    itemStyle: { color: "#1f5fa8" },
    label: { show: true, position: "right", formatter: function (x) { return x.data.b[2]; }, fontSize: 11 },
    data: d.brigades.map(function (b) {
      return { value: [b[0], b[1]], b: b, itemStyle: b[5] ? {} : { color: "#9e9e9e" } };
    })
  });

  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: "item",
      formatter: function (x) {
        if (x.data && x.data.p) { return premisesTip(x.data.p); }
        if (x.data && x.data.b) {
          var b = x.data.b;
          return [b[2] + "（" + b[3] + "）", b[4]].map(echarts.format.encodeHTML).join("<br>");
        }
        return x.name ? echarts.format.encodeHTML(x.name) : "";
      }
    },
    legend: { type: "scroll", top: 0, left: 0, right: 0 },
    geo: {
      map: "county", roam: true, top: 40, bottom: 8, aspectScale: d.aspect,
      label: { show: true, fontSize: 11, color: "#555" },
      itemStyle: { areaColor: "#f4f6f8", borderColor: "#8aa0b4" },
      emphasis: { itemStyle: { areaColor: "#e3ecf5" }, label: { show: true } }
    },
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.dataset.ready = "1";  // for the browser test: the map was drawn
})();
