import { escapeHtml } from '@tunekit/trainer';

/**
 * The review page's HTML. What it shows comes from /api/session and is put on the page as text
 * (textContent), never as markup; the title, the one value written here, is escaped.
 */
export function reviewPageHtml(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/review.css">
<script src="/review.js" defer></script>
</head>
<body>
<header>
  <h1>${escapeHtml(title)}</h1>
  <span id="who"></span>
  <progress id="bar" max="1" value="0"></progress>
  <span id="progress"></span>
</header>
<main>
  <nav>
    <button id="prev" type="button">&larr; Previous (k)</button>
    <span id="position"></span>
    <button id="next" type="button">Next (j) &rarr;</button>
  </nav>
  <dl id="context"></dl>
  <section id="prompt-pane"><h2>Prompt</h2><div id="turns"></div></section>
  <div class="answers">
    <section id="draft-pane">
      <h2>Model's draft</h2>
      <pre id="draft"></pre>
      <textarea id="edit" aria-label="Edited response" hidden></textarea>
    </section>
    <section id="reference-pane"><h2>Reference</h2><pre id="reference"></pre></section>
  </div>
  <section id="reviews-pane" hidden><h2>Reviewers' decisions</h2><div id="reviews"></div></section>
  <fieldset id="labels" hidden><legend>Label (1&ndash;9, 0 for none)</legend></fieldset>
  <label class="comment">Comment <input id="comment" type="text" autocomplete="off"></label>
  <div class="actions">
    <button id="accept" type="button">Accept (a)</button>
    <button id="edit-button" type="button">Edit (e)</button>
    <button id="save-edit" type="button" hidden>Save edit (Ctrl+Enter)</button>
    <button id="reject" type="button">Reject (r)</button>
  </div>
  <p id="decided"></p>
  <p id="status" role="status"></p>
</main>
<footer>Keys: a accept &middot; e edit &middot; Ctrl+Enter save the edit &middot; Esc cancel it &middot; r reject &middot; 1&ndash;9 label &middot; j / &rarr; next &middot; k / &larr; previous</footer>
</body>
</html>
`;
}

export const REVIEW_CSS = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
header { display: flex; flex-wrap: wrap; gap: 1em; align-items: center; padding: .6em 1.2em; background: #fff; border-bottom: 1px solid #ddd; }
header h1 { font-size: 1.05em; margin: 0; overflow-wrap: anywhere; }
main { max-width: 1200px; margin: 0 auto; padding: 1em 1.2em; }
nav { display: flex; gap: 1em; align-items: center; }
h2 { font-size: .85em; text-transform: uppercase; letter-spacing: .04em; color: #666; margin: 1em 0 .3em; }
pre, .turn-text { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; margin: 0; }
pre, textarea, .turn, .review { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .6em .8em; }
.answers { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
textarea { width: 100%; box-sizing: border-box; min-height: 12em; font: inherit; }
.turn { margin-bottom: .4em; }
#context { display: flex; flex-wrap: wrap; gap: .2em 1.2em; margin: .6em 0 0; color: #555; }
#context dt { font-weight: 600; }
#context dd { margin: 0 0 0 .3em; }
#context div { display: flex; }
.role { font-weight: 600; color: #555; margin-right: .5em; }
.none { color: #999; font-style: italic; }
.reviews { display: grid; gap: .6em; }
.review { margin-bottom: .5em; }
fieldset { border: 1px solid #ddd; border-radius: 6px; margin: 1em 0; }
fieldset label { margin-right: 1em; }
.comment { display: block; margin: .6em 0; }
.comment input { width: 60%; }
.actions { display: flex; gap: .6em; margin-top: .6em; }
button { font: inherit; padding: .3em .9em; }
#status.error { color: #b00020; }
footer { color: #777; font-size: .85em; padding: 1em 1.2em; }
@media (max-width: 800px) { .answers { grid-template-columns: 1fr; } }
`;
