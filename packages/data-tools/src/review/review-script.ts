/**
 * The review page's script (plain browser JavaScript, served as /review.js). It loads the session
 * once, shows one record at a time and posts each decision; everything it shows it sets as text.
 */
export const REVIEW_SCRIPT = `'use strict';
const state = { session: null, index: 0, editing: false };
const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showText(node, value) {
  node.textContent = value === undefined ? '(none)' : value;
  node.classList.toggle('none', value === undefined);
}

function task() { return state.session.tasks[state.index]; }

/** The first record from index from on (wrapping) with no decision yet. */
function nextOpen(from) {
  const tasks = state.session.tasks;
  for (let k = 0; k < tasks.length; k++) {
    const i = (from + k) % tasks.length;
    if (!state.session.decisions[tasks[i].id]) return i;
  }
  return undefined;
}

function selectedLabel() {
  const checked = document.querySelector('input[name="label"]:checked');
  return checked && checked.value !== '' ? checked.value : undefined;
}

function buildLabels() {
  const labels = state.session.labels;
  const box = $('labels');
  box.hidden = labels.length === 0;
  ['', ...labels].forEach((label, i) => {
    const option = el('label');
    const input = el('input');
    input.type = 'radio';
    input.name = 'label';
    input.value = label;
    option.append(input, ' ' + (i === 0 ? 'none' : i + ' ' + label));
    box.append(option);
  });
}

function describe(decision) {
  return decision.verdict + (decision.label ? ', label ' + decision.label : '');
}

function renderReviews(current) {
  const list = $('reviews');
  list.replaceChildren();
  $('reviews-pane').hidden = state.session.mode !== 'arbitrate';
  for (const review of current.reviews) {
    const card = el('div', 'review');
    card.dataset.reviewer = review.reviewer;
    card.append(el('strong', '', review.reviewer + ': ' + describe(review)));
    if (review.verdict === 'edit') card.append(el('pre', '', review.response));
    if (review.comment) card.append(el('p', '', 'Comment: ' + review.comment));
    const take = el('button', '', 'Take ' + review.reviewer + "'s decision");
    take.type = 'button';
    take.addEventListener('click', () =>
      decide(review.verdict, {
        label: review.label,
        response: review.verdict === 'edit' ? review.response : undefined,
        comment: review.comment,
      }),
    );
    card.append(take);
    list.append(card);
  }
}

function render() {
  const session = state.session;
  const current = task();
  const decision = session.decisions[current.id];
  $('position').textContent = 'record ' + (state.index + 1) + ' of ' + session.tasks.length + ' (' + current.id + ')';
  const context = $('context');
  context.replaceChildren();
  for (const [key, value] of current.item.context) {
    const entry = el('div');
    entry.append(el('dt', '', key), el('dd', '', value));
    context.append(entry);
  }
  const turns = $('turns');
  turns.replaceChildren();
  for (const turn of current.item.prompt) {
    const node = el('div', 'turn');
    node.append(el('span', 'role', turn.role), el('span', 'turn-text', turn.content));
    turns.append(node);
  }
  showText($('draft'), current.item.draft);
  showText($('reference'), current.item.reference);
  renderReviews(current);
  for (const input of document.querySelectorAll('input[name="label"]'))
    input.checked = input.value === ((decision && decision.label) || '');
  $('comment').value = (decision && decision.comment) || '';
  $('decided').textContent = decision ? 'Decided: ' + describe(decision) : 'Not decided yet';
  const progress = session.progress;
  $('progress').textContent = progress.decided + ' / ' + progress.total + ' decided';
  $('bar').max = progress.total;
  $('bar').value = progress.decided;
  stopEditing();
}

function startEditing() {
  const current = task();
  const decision = state.session.decisions[current.id];
  const edit = $('edit');
  edit.value = decision && decision.verdict === 'edit' ? decision.response : current.item.draft || current.item.reference || '';
  edit.hidden = false;
  $('draft').hidden = true;
  $('save-edit').hidden = false;
  state.editing = true;
  edit.focus();
}

function stopEditing() {
  $('edit').hidden = true;
  $('draft').hidden = false;
  $('save-edit').hidden = true;
  state.editing = false;
}

async function decide(verdict, extra) {
  const current = task();
  const body = { id: current.id, verdict: verdict, label: selectedLabel(), comment: $('comment').value || undefined };
  Object.assign(body, extra);
  const reply = await fetch('/api/decision', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await reply.json();
  const status = $('status');
  if (!reply.ok) {
    status.textContent = json.error;
    status.className = 'error';
    return;
  }
  state.session.decisions[current.id] = json.decision;
  state.session.progress = json.progress;
  const next = nextOpen(state.index + 1);
  status.className = '';
  status.textContent = 'Saved ' + current.id + ': ' + describe(json.decision) + (next === undefined ? '. Every record is decided.' : '');
  if (next !== undefined) state.index = next;
  render();
}

function move(step) {
  const count = state.session.tasks.length;
  state.index = (state.index + step + count) % count;
  render();
}

function onKey(event) {
  const typing = event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement && event.target.type === 'text';
  if (state.editing && event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    decide('edit', { response: $('edit').value });
    return;
  }
  if (event.key === 'Escape') {
    stopEditing();
    document.activeElement.blur();
    return;
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const labels = document.querySelectorAll('input[name="label"]');
  if (/^[0-9]$/.test(event.key) && Number(event.key) < labels.length) labels[Number(event.key)].checked = true;
  else if (event.key === 'a') decide('accept');
  else if (event.key === 'r') decide('reject');
  else if (event.key === 'e') { event.preventDefault(); startEditing(); }
  else if (event.key === 'j' || event.key === 'ArrowRight') move(1);
  else if (event.key === 'k' || event.key === 'ArrowLeft') move(-1);
}

async function load() {
  const reply = await fetch('/api/session');
  state.session = await reply.json();
  const session = state.session;
  $('who').textContent = (session.mode === 'arbitrate' ? 'Arbiter: ' : 'Reviewer: ') + session.reviewer;
  buildLabels();
  state.index = nextOpen(0) || 0;
  $('accept').addEventListener('click', () => decide('accept'));
  $('reject').addEventListener('click', () => decide('reject'));
  $('edit-button').addEventListener('click', startEditing);
  $('save-edit').addEventListener('click', () => decide('edit', { response: $('edit').value }));
  $('prev').addEventListener('click', () => move(-1));
  $('next').addEventListener('click', () => move(1));
  document.addEventListener('keydown', onKey);
  if (session.tasks.length === 0) {
    $('status').textContent = 'Nothing to decide here.';
    document.querySelector('main').inert = true;
  } else render();
  document.documentElement.dataset.ready = 'true';
}

load();
`;
