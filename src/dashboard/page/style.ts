// The page's style sheet. System fonts, no external resources (the page works offline); colors
// chosen for at least 4.5:1 contrast, and every color also said in words.
export const STYLE = `
:root { --fg:#1b1f24; --muted:#57606a; --bg:#ffffff; --card:#f6f8fa; --line:#d0d7de;
  --blue:#0550ae; --green:#116329; --red:#a40e26; --amber:#7d4e00; --focus:#8250df; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
a { color: var(--blue); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
header.top { display:flex; flex-wrap:wrap; gap:.75rem; align-items:center; padding:.6rem 1rem; border-bottom:1px solid var(--line); }
.brand { font-weight:700; text-decoration:none; color:var(--fg); }
.cluster { color:var(--muted); font-size:.85rem; overflow-wrap:anywhere; }
.connection { margin-left:auto; font-size:.85rem; color:var(--muted); }
.connection.live { color: var(--green); }
.connection.down { color: var(--red); }
main { padding: 1rem; max-width: 1100px; margin: 0 auto; }
h1 { font-size: 1.4rem; margin: .2rem 0 .8rem; overflow-wrap:anywhere; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
.apps { list-style:none; padding:0; display:grid; gap:.75rem; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:.75rem; }
.card h3 { margin:0 0 .4rem; font-size:1rem; overflow-wrap:anywhere; }
.badge { display:inline-block; padding:0 .45rem; border-radius:999px; font-size:.8rem; font-weight:600; border:1px solid currentColor; }
.badge.blue { color: var(--blue); } .badge.green { color: var(--green); }
.badge.none { color: var(--muted); }
.colors { display:grid; gap:.75rem; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); }
.color h3 { display:flex; gap:.5rem; align-items:center; }
.color.blue { border-top: 4px solid var(--blue); } .color.green { border-top: 4px solid var(--green); }
dl.facts { display:grid; grid-template-columns: max-content 1fr; gap:.15rem .75rem; margin:.4rem 0; }
dl.facts dt { color:var(--muted); } dl.facts dd { margin:0; overflow-wrap:anywhere; }
.reasons { color: var(--red); margin:.3rem 0; padding-left:1.1rem; }
.charts { display:grid; grid-template-columns: 1fr; gap:.3rem; margin-top:.5rem; }
.chart { display:grid; grid-template-columns: 7.5rem 1fr; align-items:center; gap:.5rem; font-size:.85rem; }
.chart svg { width:100%; height:38px; background:#fff; border:1px solid var(--line); border-radius:4px; }
.chart polyline { fill:none; stroke-width:1.5; }
.blue .chart polyline { stroke: var(--blue); } .green .chart polyline { stroke: var(--green); }
.actions { display:flex; flex-wrap:wrap; gap:.5rem; align-items:center; }
button { font: inherit; padding:.45rem .9rem; border-radius:6px; border:1px solid var(--line); background:#fff; color:var(--fg); cursor:pointer; min-height:44px; }
button.primary { background: var(--blue); color:#fff; border-color: var(--blue); }
button:disabled { opacity:.55; cursor: not-allowed; }
.progress { list-style:none; padding:0; margin:.5rem 0; }
.progress li::before { content: attr(data-mark) " "; }
.outcome { padding:.5rem .75rem; border-radius:6px; border:1px solid var(--line); margin:.5rem 0; }
.outcome.done { border-color: var(--green); } .outcome.refused, .outcome.failed { border-color: var(--red); }
.fix { color: var(--amber); }
.timeline { list-style:none; padding:0; border-left: 2px solid var(--line); margin-left:.4rem; }
.timeline li { padding: .2rem 0 .4rem .8rem; }
.timeline time { color: var(--muted); font-size:.85rem; margin-right:.4rem; }
.timeline .failed { color: var(--red); }
dialog { border:1px solid var(--line); border-radius:8px; max-width: min(640px, 95vw); padding:1rem; }
dialog .buttons { display:flex; gap:.5rem; justify-content:flex-end; margin-top:1rem; }
dialog ol { padding-left:1.2rem; } dialog code { font-size:.82rem; overflow-wrap:anywhere; }
.muted { color: var(--muted); }
@media (max-width: 480px) { main { padding:.6rem; } .chart { grid-template-columns: 6rem 1fr; } }
`;
