// tendero dashboard: draw the Plotly figures the server rendered, follow running jobs, confirm destructive forms.
(function () {
  "use strict";
  // the page's language draws dates, month names and numbers (plotly-locale-es.js is served beside plotly.js)
  var spanish = document.documentElement.lang === "es";
  var config = {responsive: true, displaylogo: false, displayModeBar: false, locale: spanish ? "es" : "en"};

  function drawFigures() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.dataset.figure);
      if (!source) return;
      var fig = JSON.parse(source.textContent);
      // decimal comma and thousands point in Spanish, as the page's tables write them
      if (spanish) fig.layout = Object.assign({separators: ",."}, fig.layout || {});
      window.Plotly.newPlot(el, fig.data, fig.layout, config);
    });
  }

  // selectors apply as soon as they change (the button stays for browsers without scripts)
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit") && event.target.tagName === "SELECT") form.submit();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // --- jobs: one small JSON poll for every unfinished job on the page -----------------------------
  // A metric gets a chart only when it has a curve (two steps or more, changing); charts are one per unit
  // (losses, shares, seconds, other values), so no axis mixes a loss of 0.3 with 0.9 of accuracy. The other
  // metrics are a table of their latest values. The ETA is the runner's own (progress weighted by each stage's
  // measured cost), written as "about 2 min 10 s left"; the time so far is shown beside it.
  var list = document.getElementById("jobs");
  var curves = {};  // job id -> {metric: {x: [], y: []}}
  var etas = {};  // job id -> latest eta_seconds
  var lastEvent = 0;
  var texts = list ? JSON.parse(list.dataset.texts || "{}") : {};
  var HIDDEN = /^(eta_seconds|elapsed_seconds)$/;
  var UNITS = [
    ["loss", /loss|logloss|rmse|mae|mse|mape|wape|deviance|error|l1|l2/i],
    ["seconds", /_seconds$/i],
    ["share", /accuracy|auc|f1|precision|recall|ndcg|hit|coverage|r2|silhouette|map@/i]
  ];

  function unitOf(name) {
    for (var i = 0; i < UNITS.length; i++) if (UNITS[i][1].test(name)) return UNITS[i][0];
    return "value";
  }

  function duration(seconds) {
    var whole = Math.max(0, Math.round(seconds));
    if (whole < 60) return whole + " s";
    if (whole < 3600) return Math.floor(whole / 60) + " min " + ("0" + (whole % 60)).slice(-2) + " s";
    return Math.floor(whole / 3600) + " h " + ("0" + Math.floor(whole % 3600 / 60)).slice(-2) + " min";
  }

  function say(key, time) { return (texts[key] || key).replace("{time}", time); }

  function number(value) {
    var digits = Math.abs(value) >= 100 ? 1 : 3;
    return Number.isInteger(value) ? value.toLocaleString(texts.lang) :
      value.toLocaleString(texts.lang, {maximumFractionDigits: digits});
  }

  function drawCurves(card, series) {
    var byUnit = {};
    var latest = [];
    Object.keys(series).forEach(function (name) {
      var s = series[name];
      var steps = {};
      var values = {};
      s.x.forEach(function (x) { steps[x] = true; });
      s.y.forEach(function (y) { values[y] = true; });
      // a curve: reported at two steps or more, and moving (a setting reported at every step is not a curve)
      if (Object.keys(steps).length >= 2 && Object.keys(values).length >= 2) {
        var unit = unitOf(name);
        (byUnit[unit] = byUnit[unit] || []).push(name);
      } else {
        latest.push([name, s.y[s.y.length - 1]]);
      }
    });
    var box = card.querySelector("[data-role=curves]");
    Object.keys(byUnit).sort().forEach(function (unit) {
      var el = box.querySelector("[data-unit='" + unit + "']");
      if (!el) {
        el = document.createElement("div");
        el.className = "chart small-chart";
        el.dataset.unit = unit;
        box.appendChild(el);
      }
      var data = byUnit[unit].map(function (name) {
        // copies: Plotly.react compares arrays by reference, so a grown array must be a new one
        return {type: "scatter", mode: "lines", name: texts["metric." + name] || name,
                x: series[name].x.slice(), y: series[name].y.slice()};
      });
      window.Plotly.react(el, data, {
        margin: {l: 52, r: 8, t: 8, b: 36}, height: 220, paper_bgcolor: "rgba(0,0,0,0)",
        plot_bgcolor: "rgba(0,0,0,0)", legend: {orientation: "h", y: -0.25}, showlegend: true,
        xaxis: {title: {text: texts.step || "step"}, tickformat: "d", rangemode: "tozero"},
        yaxis: {title: {text: texts["unit." + unit] || unit}, rangemode: unit === "loss" ? "tozero" : "normal"}
      }, config);
    });
    var table = card.querySelector("[data-role=figures]");
    if (table && latest.length) {
      var body = table.querySelector("tbody");
      body.textContent = "";
      latest.forEach(function (pair) {
        var row = document.createElement("tr");
        row.dataset.metric = pair[0];
        var name = document.createElement("th");
        name.textContent = texts["metric." + pair[0]] || pair[0];
        var value = document.createElement("td");
        value.className = "num";
        value.textContent = number(pair[1]);
        row.appendChild(name);
        row.appendChild(value);
        body.appendChild(row);
      });
      table.hidden = false;
    }
  }

  function updateJob(card, job, labels) {
    var pct = Math.round(job.progress);
    card.querySelector(".bar span").style.width = job.progress + "%";
    card.querySelector(".bar").setAttribute("aria-valuenow", String(pct));
    card.querySelector("[data-role=percent]").textContent = pct + "%";
    var status = card.querySelector("[data-role=status]");
    status.textContent = labels[job.status] || job.status;
    status.className = "badge status " + job.status;
    card.dataset.status = job.status;
    card.dataset.finished = job.finished ? "true" : "false";
    if (job.finished) {
      var cancel = card.querySelector("[data-role=cancel]");
      if (cancel) cancel.remove();
      var estimate = card.querySelector("[data-role=estimate]");
      if (estimate) estimate.remove();
    }
    var download = card.querySelector("[data-role=download]");
    if (download) download.hidden = job.status !== "completed";
    if (job.error) {
      var error = card.querySelector("[data-role=error]");
      error.textContent = job.error;
      error.hidden = false;
    }
    var series = curves[card.dataset.job] = curves[card.dataset.job] || {};
    job.events.forEach(function (e) {
      lastEvent = Math.max(lastEvent, e.id);
      if (e.message) card.querySelector("[data-role=message]").textContent = "· " + e.message;
      if (e.eta_seconds !== null && e.eta_seconds !== undefined) etas[card.dataset.job] = e.eta_seconds;
      Object.keys(e.metrics || {}).forEach(function (name) {
        if (HIDDEN.test(name)) return;
        var s = series[name] = series[name] || {x: [], y: []};
        s.x.push(e.step);
        s.y.push(e.metrics[name]);
      });
    });
    var eta = card.querySelector("[data-role=eta]");
    if (job.finished) {
      if (job.elapsed_seconds !== null && job.elapsed_seconds !== undefined) eta.textContent = say("took", duration(job.elapsed_seconds));
    } else if (job.status === "running") {
      var left = etas[card.dataset.job];
      var parts = [left === undefined ? texts.eta_unknown : say("eta", duration(left))];
      if (job.elapsed_seconds !== null && job.elapsed_seconds !== undefined) parts.push(say("elapsed", duration(job.elapsed_seconds)));
      eta.textContent = parts.join(" · ");
      eta.dataset.etaSeconds = left === undefined ? "" : String(left);
    }
    if (Object.keys(series).length && window.Plotly) drawCurves(card, series);
  }

  function poll(first) {
    var cards = Array.prototype.slice.call(list.querySelectorAll("[data-job]"));
    var wanted = cards.filter(function (c, i) { return c.dataset.finished === "false" || (first && i < 8); });
    if (!wanted.length) return;
    var ids = wanted.map(function (c) { return c.dataset.job; }).join(",");
    var labels = JSON.parse(list.dataset.statusLabels);
    var after = first ? 0 : lastEvent;
    fetch(list.dataset.progressUrl + "?ids=" + encodeURIComponent(ids) + "&after=" + after,
          {credentials: "same-origin", headers: {accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) {
        wanted.forEach(function (card) {
          var job = body.jobs[card.dataset.job];
          if (job) updateJob(card, job, labels);
        });
      })
      .catch(function () { /* a missed poll is retried on the next tick */ })
      .then(function () {
        if (list.querySelector("[data-job][data-finished=false]")) window.setTimeout(function () { poll(false); }, 1000);
      });
  }

  drawFigures();
  if (list) poll(true);
})();
