// Draws the dashboard charts with the vendored Chart.js (static/vendor/chartjs/chart.min.js).
//
// Contract with the templates: each chart is a <canvas id="chart-NAME" role="img" aria-label="...">
// inside <figure class="dashboard-chart">, and its data is in
// <script type="application/json" id="chart-NAME-data"> (json_script) holding
//   {"kind": "bar"|"stacked"|"line", "unit": ""|"%", "labels": [...],
//    "datasets": [{"label": "...", "data": [number|null, ...]}, ...]}.
// A null is a figure hidden by the privacy rule (fewer than five people): it is drawn as a gap and
// its tooltip says the canvas's data-hidden-label ("<5" by default), never a number.
//
// The charts repeat a data table shown beside them, so they need no keyboard interaction, and if
// Chart.js did not load this script does nothing. No inline script, eval or style attribute is
// used (the Content-Security-Policy forbids them); Chart.js sizes the canvas through the CSSOM.
(function () {
  "use strict";

  if (typeof window.Chart === "undefined" || !document.querySelectorAll || !window.JSON) {
    return;
  }
  var Chart = window.Chart;

  // Okabe–Ito colours (told apart with every common colour-vision deficiency), darkened where
  // needed so each has at least 3:1 against white (WCAG 1.4.11): blue 5.2, vermillion 3.9,
  // bluish green 3.4, reddish purple 3.3, orange 3.4, sky blue 3.3, yellow (olive) 3.4, black 21.
  var PALETTE = ["#0072b2", "#d55e00", "#009e73", "#c870a1", "#bb8100", "#1c95d9", "#978e0c", "#000000"];
  // Line charts also tell the series apart by point style and dash pattern, without colour.
  var POINT_STYLES = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "rectRounded", "cross"];
  var DASHES = [[], [6, 3], [2, 3], [8, 3, 2, 3], [], [6, 3], [2, 3], [8, 3, 2, 3]];
  var KINDS = { bar: true, stacked: true, line: true };
  var MODE = "portalIndex";

  function pick(list, i) {
    return list[i % list.length];
  }

  // Number formatting follows the page's language (<html lang="nb"> -> nb-NO).
  function pageLocale() {
    var lang = (document.documentElement.lang || "").trim();
    var primary = lang.toLowerCase().split("-")[0];
    if (primary === "nb" || primary === "no") {
      return "nb-NO";
    }
    if (primary === "nn") {
      return "nn-NO";
    }
    return lang || undefined;
  }
  var LOCALE = pageLocale();
  var numberFormat;
  try {
    numberFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
  } catch (error) {
    numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
  }
  function formatNumber(value, unit) {
    // A no-break space keeps "12 %" together, as Norwegian writes percentages.
    return numberFormat.format(value) + (unit === "%" ? "\u00a0%" : "");
  }

  var reducedMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  function animationOption() {
    return reducedMotion && reducedMotion.matches ? false : { duration: 400 };
  }

  // Interaction mode: every visible dataset at the category under the pointer, including hidden
  // (null) values. Chart.js's own "index" mode leaves out line points that are gaps, so a hidden
  // figure would be missing from the tooltip, and a category with only hidden figures would have
  // no tooltip at all.
  if (Chart.Interaction && Chart.Interaction.modes && !Chart.Interaction.modes[MODE]) {
    Chart.Interaction.modes[MODE] = function (chart, event) {
      var position = Chart.helpers.getRelativePosition(event, chart);
      var area = chart.chartArea;
      var xScale = chart.scales.x;
      var labelCount = chart.data.labels.length;
      // A little slack, since a line chart's first and last points lie on the plot's edges.
      var slack = 8;
      if (
        !area || !xScale || !labelCount ||
        position.x < area.left - slack || position.x > area.right + slack ||
        position.y < area.top - slack || position.y > area.bottom + slack
      ) {
        return [];
      }
      var index = Math.round(xScale.getValueForPixel(position.x));
      if (!isFinite(index)) {
        return [];
      }
      index = Math.max(0, Math.min(labelCount - 1, index));
      var items = [];
      chart.getSortedVisibleDatasetMetas().forEach(function (meta) {
        var element = meta.data[index];
        if (element) {
          items.push({ element: element, datasetIndex: meta.index, index: index });
        }
      });
      return items;
    };
  }

  // Tooltip position: the average of the drawn values at that category; if all are hidden, the
  // middle of the category in the middle of the plot.
  if (Chart.Tooltip && Chart.Tooltip.positioners && !Chart.Tooltip.positioners[MODE]) {
    Chart.Tooltip.positioners[MODE] = function (items) {
      if (!items.length) {
        return false;
      }
      var chart = this.chart;
      var x = 0;
      var y = 0;
      var count = 0;
      // The items are the active elements ({element, datasetIndex, index}), not tooltip items.
      items.forEach(function (item) {
        var raw = chart.data.datasets[item.datasetIndex].data[item.index];
        if (raw === null || raw === undefined || !item.element || !item.element.hasValue()) {
          return;
        }
        var pos = item.element.tooltipPosition();
        if (isFinite(pos.x) && isFinite(pos.y)) {
          x += pos.x;
          y += pos.y;
          count += 1;
        }
      });
      if (count) {
        return { x: x / count, y: y / count };
      }
      var area = chart.chartArea;
      return { x: chart.scales.x.getPixelForValue(items[0].index), y: (area.top + area.bottom) / 2 };
    };
  }

  function isHidden(value) {
    return value === null || value === undefined;
  }

  // A number, or null for a hidden figure. Numeric strings (Django's JSON encoder writes a
  // Decimal as a string) count as numbers; anything else is drawn as a gap.
  function toNumber(value) {
    if (typeof value === "string" && value.trim() !== "") {
      value = Number(value);
    }
    return typeof value === "number" && isFinite(value) ? value : null;
  }

  function allIntegers(datasets) {
    return datasets.every(function (dataset) {
      return dataset.data.every(function (value) {
        return isHidden(value) || Math.round(value) === value;
      });
    });
  }

  function buildDatasets(spec) {
    var line = spec.kind === "line";
    return spec.datasets.map(function (dataset, i) {
      var colour = pick(PALETTE, i);
      var data = (dataset.data || []).map(toNumber);
      if (line) {
        return {
          label: dataset.label,
          data: data,
          borderColor: colour,
          backgroundColor: colour,
          borderWidth: 2,
          borderDash: pick(DASHES, i),
          pointStyle: pick(POINT_STYLES, i),
          pointRadius: 4,
          pointHoverRadius: 6,
          pointBorderWidth: 2,
          pointBackgroundColor: colour,
          pointBorderColor: colour,
          spanGaps: false,
          fill: false,
          tension: 0,
        };
      }
      return {
        label: dataset.label,
        data: data,
        backgroundColor: colour,
        // A white line between stacked segments, so neighbouring colours need not contrast.
        borderColor: "#ffffff",
        borderWidth: spec.kind === "stacked" ? 1 : 0,
      };
    });
  }

  function buildConfig(spec, canvas) {
    var unit = spec.unit === "%" ? "%" : "";
    var hiddenLabel = canvas.getAttribute("data-hidden-label") || "<5";
    var stacked = spec.kind === "stacked";
    var line = spec.kind === "line";
    var datasets = buildDatasets(spec);

    var yScale = {
      beginAtZero: true,
      min: 0,
      stacked: stacked,
      ticks: {
        callback: function (value) {
          return formatNumber(value, unit);
        },
      },
    };
    if (unit === "%") {
      yScale.max = 100;
    } else if (allIntegers(datasets)) {
      yScale.ticks.precision = 0;
    }

    return {
      type: line ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        locale: LOCALE,
        animation: animationOption(),
        interaction: { mode: MODE, intersect: false },
        // The canvas keeps the role="img" and aria-label the template gave it; Chart.js adds none.
        scales: {
          x: { stacked: stacked, grid: { display: line } },
          y: yScale,
        },
        plugins: {
          legend: {
            display: datasets.length > 1,
            labels: { usePointStyle: line },
          },
          tooltip: {
            mode: MODE,
            intersect: false,
            position: MODE,
            usePointStyle: line,
            callbacks: {
              label: function (item) {
                var name = item.dataset.label ? item.dataset.label + ": " : "";
                if (isHidden(item.raw)) {
                  return name + hiddenLabel;
                }
                return name + formatNumber(item.raw, unit);
              },
            },
          },
        },
      },
    };
  }

  // Chart.js sizes the chart from its parent, which must hold nothing but the canvas and have a
  // height (.dashboard-chart-box in portal.css); wrap the canvas if the template did not.
  function ensureBox(canvas) {
    var parent = canvas.parentNode;
    if (parent && parent.classList && parent.classList.contains("dashboard-chart-box")) {
      return;
    }
    var box = document.createElement("div");
    box.className = "dashboard-chart-box";
    parent.insertBefore(box, canvas);
    box.appendChild(canvas);
  }

  function readSpec(canvas) {
    var source = document.getElementById(canvas.id + "-data");
    if (!source) {
      return null;
    }
    var spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
    if (
      !spec || !KINDS[spec.kind] || !Array.isArray(spec.labels) ||
      !Array.isArray(spec.datasets) || !spec.datasets.length
    ) {
      return null;
    }
    return spec;
  }

  var charts = [];

  function drawAll() {
    // Text in the page's font and colour (Bootstrap's body colour, 15:1 on white).
    var fontFamily = window.getComputedStyle(document.body).fontFamily;
    if (fontFamily) {
      Chart.defaults.font.family = fontFamily;
    }
    Chart.defaults.color = "#212529";
    var canvases = document.querySelectorAll('canvas[id^="chart-"]');
    Array.prototype.forEach.call(canvases, function (canvas) {
      if (Chart.getChart && Chart.getChart(canvas)) {
        return;
      }
      var spec = readSpec(canvas);
      if (!spec) {
        return;
      }
      try {
        ensureBox(canvas);
        charts.push(new Chart(canvas, buildConfig(spec, canvas)));
      } catch (error) {
        // The table beside the chart still shows the figures.
        if (window.console) {
          window.console.error("dashboard-charts: " + canvas.id, error);
        }
      }
    });
  }

  // Follow a change of the reduced-motion setting while the page is open.
  if (reducedMotion) {
    var onMotionChange = function () {
      charts.forEach(function (chart) {
        chart.options.animation = animationOption();
        chart.update("none");
      });
    };
    if (reducedMotion.addEventListener) {
      reducedMotion.addEventListener("change", onMotionChange);
    } else if (reducedMotion.addListener) {
      reducedMotion.addListener(onMotionChange);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
