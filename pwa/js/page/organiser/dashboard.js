// The live check-in dashboard: a festival day's totals, a chart of accepted check-ins per hour for the busiest
// venues (uPlot, pwa/vendor/uplot), every venue's figures with its occupancy, and the scans flagged for review.
// Refreshed every few seconds while it is on screen. Data: GET /api/organiser/stats/checkins?by=venue&day=D for
// the venues, then ?by=hour&day=D&venue=V for each charted venue (the API has no venue × hour breakdown in one
// call), and GET /api/organiser/checkins?flagged=true.

import { dayLong, t, tr } from '../../lib/i18n.js';
import { timeOf } from '../../lib/time.js';
import { levelBadge, SignedOut } from '../checkin/ui.js';
import { html, icon, loadStylesheet, setHTML } from '../core/dom.js';

const REFRESH_MS = 10_000;
const CHARTED = 5;
const COLOURS = ['#9b1b20', '#0b5e57', '#1b4fd8', '#a35200', '#6b3fa0'];
const FIRST_HOUR = 8;
const LAST_HOUR = 22;

let uPlotModule = null;
async function loadUPlot() {
  if (!uPlotModule) {
    const [module] = await Promise.all([import('../../../vendor/uplot/uPlot.min.mjs'), loadStylesheet('/vendor/uplot/uPlot.min.css')]);
    uPlotModule = module.default;
  }
  return uPlotModule;
}

export function dashboardView(app, { json }) {
  let root;
  let day = app.programme.days.includes(app.today()) ? app.today() : app.programme.days[0];
  let timer = null;
  let gone = false;
  let chart = null;
  let resize = null;
  let data = null; // {venues, hours: {venueId: rows}, flagged, at}
  let error = '';

  const venueName = (id) => tr(app.programme.venues.get(id)?.name) || id;

  function render() {
    setHTML(root, html`<div class="dash">
      <div class="dash-head">
        <div class="field"><label for="dash-day">${t('dash_day')}</label>
          <select id="dash-day">${app.programme.days.map((d) => html`<option value="${d}" ${d === day ? 'selected' : ''}>${dayLong(d)}</option>`)}</select></div>
        <p class="small muted dash-updated" id="dash-updated" aria-live="off"></p>
      </div>
      <p class="form-error" id="dash-error" role="alert"></p>
      <dl class="totals" id="dash-totals"></dl>
      <section class="block" aria-labelledby="chart-title">
        <h2 class="section-title" id="chart-title">${t('dash_chart')}</h2>
        <div class="chart" id="dash-chart" role="img" aria-label="${t('dash_chart_label')}"></div>
        <p class="small muted">${t('dash_chart_note')}</p>
      </section>
      <section class="block" aria-labelledby="venues-title">
        <h2 class="section-title" id="venues-title">${t('dash_venues')}</h2>
        <div class="table-wrap"><table class="dash-table" id="dash-venues" aria-labelledby="venues-title"></table></div>
      </section>
      <section class="block" aria-labelledby="flagged-title">
        <h2 class="section-title" id="flagged-title">${t('dash_flagged')}</h2>
        <ul class="flagged" id="dash-flagged" role="list"></ul>
      </section>
    </div>`);
    root.querySelector('#dash-day').addEventListener('change', (event) => {
      day = event.target.value;
      data = null;
      chart?.destroy();
      chart = null;
      refresh();
    });
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const byVenue = await json(`/api/organiser/stats/checkins?by=venue&day=${day}`);
      const top = [...byVenue.rows].sort((a, b) => b.counts.accepted - a.counts.accepted).slice(0, CHARTED)
        .filter((row) => row.counts.accepted > 0);
      const hours = {};
      const [flagged] = await Promise.all([
        json('/api/organiser/checkins?flagged=true&limit=20'),
        ...top.map(async (row) => {
          hours[row.key] = (await json(`/api/organiser/stats/checkins?by=hour&day=${day}&venue=${encodeURIComponent(row.key)}`)).rows;
        }),
      ]);
      data = { venues: byVenue, top: top.map((r) => r.key), hours, flagged, at: byVenue.generated_at };
      error = '';
    } catch (e) {
      if (e instanceof SignedOut) return;
      error = e.message;
    }
    if (gone) return;
    show();
    timer = setTimeout(() => {
      if (document.visibilityState === 'visible') refresh();
      else timer = setTimeout(refresh, REFRESH_MS);
    }, REFRESH_MS);
  }

  function show() {
    setHTML(root.querySelector('#dash-error'), error);
    if (!data) return;
    const totals = data.venues.totals;
    setHTML(root.querySelector('#dash-updated'), t('dash_updated', { time: timeOf(data.at, app.zone) }));
    setHTML(root.querySelector('#dash-totals'), [
      ['accepted', totals.accepted], ['rejected', totals.rejected], ['offline', totals.offline], ['flagged', totals.flagged],
    ].map(([key, n]) => html`<div class="total total-${key}"><dt>${t(`total_${key}`)}</dt><dd data-total="${key}">${n}</dd></div>`));
    const rows = [...data.venues.rows].sort((a, b) => b.counts.accepted - a.counts.accepted);
    const head = (key, name) => html`<th scope="col" class="num" title="${t(`total_${key}`)}">${icon(name, 'icon')}<span class="sr-only">${t(`total_${key}`)}</span></th>`;
    setHTML(root.querySelector('#dash-venues'), html`<thead><tr><th scope="col">${t('dash_venue')}</th>
        ${head('accepted', 'check')}${head('rejected', 'block')}${head('flagged', 'warning')}<th scope="col" class="col-now">${t('dash_now')}</th></tr></thead>
      <tbody>${rows.length ? rows.map((row) => html`<tr data-venue="${row.key}"><th scope="row">${venueName(row.key)}</th>
        <td class="num">${row.counts.accepted}</td><td class="num">${row.counts.rejected}</td><td class="num">${row.counts.flagged}</td>
        <td>${row.occupancy ? html`${levelBadge(row.occupancy)} <span class="small">${row.occupancy.count}</span>` : ''}</td></tr>`)
        : html`<tr><td colspan="5" class="muted">${t('dash_none')}</td></tr>`}</tbody>`);
    setHTML(root.querySelector('#dash-flagged'), data.flagged.length ? data.flagged.map((scan) => html`<li class="flag-item">
        <span class="log-time">${timeOf(scan.scanned_at, app.zone)}</span>
        <span><strong>${venueName(scan.venue_id)}</strong> · <span translate="no">${scan.pass_id || '—'}</span>
          <span class="small muted"> · ${scan.conflicts.map((c) => t(`conflict_${c}`)).join(', ')}</span></span></li>`)
      : html`<li class="muted small">${t('dash_no_flags')}</li>`);
    drawChart();
  }

  async function drawChart() {
    const box = root.querySelector('#dash-chart');
    if (!data.top.length) {
      chart?.destroy();
      chart = null;
      setHTML(box, html`<p class="muted small chart-empty">${t('dash_none')}</p>`);
      return;
    }
    const uPlot = await loadUPlot();
    if (gone) return;
    const start = Date.parse(`${day}T00:00:00+07:00`) / 1000;
    const xs = [];
    for (let h = FIRST_HOUR; h <= LAST_HOUR; h += 1) xs.push(start + h * 3600);
    const series = data.top.map((id) => {
      const byHour = new Map((data.hours[id] || []).map((row) => [Date.parse(row.key) / 1000, row.counts.accepted]));
      return xs.map((x) => byHour.get(x) ?? 0);
    });
    const plotData = [xs, ...series];
    const width = Math.max(280, box.clientWidth);
    if (chart && chart.series.length === series.length + 1 && data.top.every((id, i) => chart.series[i + 1].label === venueName(id))) {
      chart.setData(plotData);
      return;
    }
    chart?.destroy();
    box.textContent = '';
    const styles = getComputedStyle(document.documentElement);
    const ink = styles.getPropertyValue('--muted').trim() || '#5c534b';
    const grid = styles.getPropertyValue('--line').trim() || '#e4dace';
    chart = new uPlot({
      width, height: 240,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), app.zone),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
      axes: [
        { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, ticks) => ticks.map((x) => timeOf(x * 1000, app.zone)) },
        { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 40 },
      ],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      series: [{ label: t('dash_hour') }, ...data.top.map((id, i) => ({
        label: venueName(id), stroke: COLOURS[i % COLOURS.length], width: 2.5,
        fill: `${COLOURS[i % COLOURS.length]}14`, points: { size: 6 },
      }))],
    }, plotData, box);
    resize ||= new ResizeObserver(() => {
      if (chart) chart.setSize({ width: Math.max(280, box.clientWidth), height: 240 });
    });
    resize.observe(box);
  }

  return {
    mount(container) {
      root = container;
      render();
      refresh();
    },
    unmount() {
      gone = true;
      clearTimeout(timer);
      resize?.disconnect();
      chart?.destroy();
    },
  };
}
