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
  var list = document.getElementById("jobs");
  var curves = {};  // job id -> {metric: {x: [], y: []}}
  var lastEvent = 0;

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
    }
    if (job.error) {
      var error = card.querySelector("[data-role=error]");
      error.textContent = job.error;
      error.hidden = false;
    }
    var series = curves[card.dataset.job] = curves[card.dataset.job] || {};
    job.events.forEach(function (e) {
      lastEvent = Math.max(lastEvent, e.id);
      if (e.message) card.querySelector("[data-role=message]").textContent = e.message;
      Object.keys(e.metrics || {}).forEach(function (name) {
        var s = series[name] = series[name] || {x: [], y: []};
        s.x.push(e.step);
        s.y.push(e.metrics[name]);
      });
    });
    var names = Object.keys(series);
    if (names.length && window.Plotly) {
      var el = card.querySelector("[data-role=curve]");
      el.hidden = false;
      var data = names.map(function (name) {
        // copies: Plotly.react compares arrays by reference, so a grown array must be a new one
        return {type: "scatter", mode: "lines+markers", name: name, x: series[name].x.slice(), y: series[name].y.slice()};
      });
      window.Plotly.react(el, data, {
        margin: {l: 44, r: 8, t: 8, b: 30}, height: 200, paper_bgcolor: "rgba(0,0,0,0)",
        plot_bgcolor: "rgba(0,0,0,0)", legend: {orientation: "h"}, xaxis: {title: {text: "step"}}
      }, config);
    }
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
