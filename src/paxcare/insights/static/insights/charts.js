/* PaxCare insight charts: draw each chart from the JSON beside its canvas.
   Runs only when the vendored Chart.js is loaded; the tables carry the numbers
   either way. Lines and bars in colours that stay apart for most colour-blind
   readers, each series labelled in the legend and the tooltip. */
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var palette = ["#0b5cad", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var usesPercent = spec.series.some(function (s) { return s.axis === "percent"; });
    var usesCount = spec.series.some(function (s) { return s.axis !== "percent"; });
    var datasets = spec.series.map(function (s, i) {
      return {
        type: s.kind === "bar" ? "bar" : "line",
        label: s.label,
        data: s.values,
        yAxisID: s.axis === "percent" ? "percent" : "count",
        borderColor: palette[i % palette.length],
        backgroundColor: s.kind === "bar" ? palette[i % palette.length] + "cc" : palette[i % palette.length],
        spanGaps: true,
        tension: 0.2,
        pointRadius: spec.labels.length > 40 ? 0 : 3
      };
    });
    var scales = {};
    if (usesCount) { scales.count = { type: "linear", position: "left", beginAtZero: true }; }
    if (usesPercent) {
      scales.percent = { type: "linear", position: usesCount ? "right" : "left", min: 0, max: 100,
                         grid: { drawOnChartArea: !usesCount },
                         ticks: { callback: function (v) { return v + " %"; } } };
    }
    new window.Chart(canvas, {
      data: { labels: spec.labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
                 plugins: { legend: { position: "top" } }, scales: scales }
    });
  }
  document.querySelectorAll("canvas[data-chart]").forEach(draw);
}());
