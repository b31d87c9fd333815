// The page shell, rendered on the server. Everything live is filled in by /assets/client.js
// from the JSON API and the event stream; this shell carries no data and no token.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function pageHtml(options: { cluster: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cutover dashboard</title>
<link rel="stylesheet" href="/assets/style.css">
<script type="module" src="/assets/client.js"></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">cutover</a>
  <span class="cluster" title="kube context and API server">${escapeHtml(options.cluster)}</span>
  <span id="connection" class="connection" role="status">connecting…</span>
</header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<dialog id="confirm" aria-labelledby="confirm-title">
  <form method="dialog">
    <h2 id="confirm-title">Plan</h2>
    <div id="confirm-body"></div>
    <div class="buttons">
      <button value="cancel" id="confirm-cancel">Cancel</button>
      <button value="ok" id="confirm-ok" class="primary">Confirm</button>
    </div>
  </form>
</dialog>
</body>
</html>
`;
}
