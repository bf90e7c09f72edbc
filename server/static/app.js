// The newsqa web page: a small client of the REST API under /v1.
//
// Article text is untrusted: it is only ever put on the page as text nodes (textContent,
// createTextNode), never through innerHTML, so an article holding <script> shows as text.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { articles: [], viewing: null, cache: new Map() };

// -- talking to the API ---------------------------------------------------------------------------

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const key = $("api-key") ? $("api-key").value.trim() : "";
  if (key) headers.Authorization = "Bearer " + key;  // with a key set, reads need it too
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    // Errors are problem+json: show the detail the server wrote for people.
    throw new Error(data.detail || data.title || "HTTP " + response.status);
  }
  return data;
}

const articleUrl = (id) => "/v1/articles/" + encodeURIComponent(id);

function setStatus(element, message, isError = false) {
  element.textContent = message;
  element.classList.toggle("error", isError);
}

// -- the article list -----------------------------------------------------------------------------

async function loadArticles() {
  const page = await api("GET", "/v1/articles?limit=200");
  state.articles = page.items;
  $("article-count").textContent = "(" + page.total + ")";
  const list = $("article-list");
  const checked = new Set(selectedIds());
  list.replaceChildren();
  for (const article of page.items) {
    const item = document.createElement("li");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = article.id;
    box.checked = checked.has(article.id);
    box.setAttribute("aria-label", "Use " + (article.title || article.id));
    const open = document.createElement("button");
    open.type = "button";
    open.className = "link";
    open.textContent = (article.title || article.id) + (article.published ? " · " + article.published.slice(0, 10) : "") +
      (article.duplicate_of ? " (copy)" : "");
    open.title = "id: " + article.id;
    open.addEventListener("click", () => showArticle(article.id, []));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "delete";
    remove.textContent = "×";
    remove.title = "Delete this article";
    remove.addEventListener("click", () => deleteArticle(article.id));
    item.append(box, open, remove);
    list.append(item);
  }
}

function selectedIds() {
  return [...document.querySelectorAll("#article-list input:checked")].map((box) => box.value);
}

async function deleteArticle(id) {
  try {
    await api("DELETE", articleUrl(id));
    state.cache.delete(id);
    if (state.viewing === id) {
      state.viewing = null;
      $("view-title").textContent = "";
      $("article-view").replaceChildren();
    }
    await loadArticles();
  } catch (error) {
    setStatus($("add-status"), error.message, true);
  }
}

// -- adding an article ----------------------------------------------------------------------------

async function bodyFromFile(file) {
  const content = await file.text();
  const name = file.name.toLowerCase();
  if (name.endsWith(".html") || name.endsWith(".htm")) return { html: content };
  if (name.endsWith(".json")) {
    const data = JSON.parse(content);
    if (data.html) return pick(data, ["html", "url", "id"]);
    return pick(data, ["text", "title", "url", "published", "id"]);
  }
  const title = $("add-title").value.trim();
  return title ? { text: content, title } : { text: content };
}

function pick(object, keys) {
  const out = {};
  for (const key of keys) if (typeof object[key] === "string") out[key] = object[key];
  return out;
}

async function addArticle(event) {
  event.preventDefault();
  const status = $("add-status");
  const file = $("add-file").files[0];
  try {
    let body;
    if (file) {
      body = await bodyFromFile(file);
    } else {
      const text = $("add-text").value;
      if (!text.trim()) throw new Error("Paste an article or choose a file first.");
      const title = $("add-title").value.trim();
      body = title ? { text, title } : { text };
    }
    setStatus(status, "Adding…");
    const article = await api("POST", "/v1/articles", body);
    state.cache.set(article.id, article);
    setStatus(status, "Added “" + (article.title || article.id) + "”.");
    $("add-text").value = "";
    $("add-title").value = "";
    $("add-file").value = "";
    await loadArticles();
    await showArticle(article.id, []);
  } catch (error) {
    setStatus(status, error.message, true);
  }
}

// -- showing an article with highlights -----------------------------------------------------------

async function getArticle(id) {
  if (!state.cache.has(id)) state.cache.set(id, await api("GET", articleUrl(id)));
  return state.cache.get(id);
}

// ranges: [{start, end, className}], character offsets into article.text; they may nest.
async function showArticle(id, ranges) {
  const article = await getArticle(id);
  state.viewing = id;
  $("view-title").textContent = article.title ? "— " + article.title : "— " + article.id;
  renderHighlighted($("article-view"), article.text, ranges);
  const first = $("article-view").querySelector("mark");
  if (first) first.scrollIntoView({ block: "center" });
}

function renderHighlighted(container, text, ranges) {
  // Cut the text at every range boundary; each piece gets the classes of the ranges covering it.
  // JavaScript strings index UTF-16 units while the API's offsets count code points, so offsets
  // are mapped through the array of code points.
  const chars = Array.from(text);
  const cuts = new Set([0, chars.length]);
  for (const r of ranges) {
    cuts.add(Math.max(0, Math.min(chars.length, r.start)));
    cuts.add(Math.max(0, Math.min(chars.length, r.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const nodes = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i], points[i + 1]];
    const piece = chars.slice(from, to).join("");
    const classes = ranges.filter((r) => r.start <= from && to <= r.end).map((r) => r.className);
    if (classes.length === 0) {
      nodes.push(document.createTextNode(piece));
    } else {
      const mark = document.createElement(classes.includes("answer") || classes.includes("summary") ? "mark" : "span");
      mark.className = [...new Set(classes)].join(" ");
      mark.textContent = piece;
      nodes.push(mark);
    }
  }
  container.replaceChildren(...nodes);
}

// -- asking and summarizing -----------------------------------------------------------------------

function scoreText(score) {
  return Math.round(score * 100) + "%";
}

async function ask(event) {
  event.preventDefault();
  const status = $("ask-status");
  const question = $("question").value.trim();
  if (!question) return setStatus(status, "Type a question first.", true);
  const ids = selectedIds();
  const body = Object.assign(ids.length ? { question, top_k: 3, article_ids: ids } : { question, top_k: 3 }, dateRange());
  setStatus(status, "Thinking…");
  $("summary").hidden = true;
  try {
    const result = await api("POST", "/v1/ask", body);
    renderAnswers(result.answers);
    setStatus(status, result.answers.length
      ? result.answers.length + " answer(s) in " + Math.round(result.took_ms) + " ms."
      : "The articles do not seem to answer that.");
    if (result.answers.length) await showAnswer(result.answers[0]);
  } catch (error) {
    setStatus(status, error.message, true);
  }
}

function dateRange() {
  // The optional publication date filter: only the bounds that are set.
  const range = {};
  if ($("since").value) range.since = $("since").value;
  if ($("until").value) range.until = $("until").value;
  return range;
}

function renderAnswers(answers) {
  const list = $("answers");
  list.replaceChildren();
  answers.forEach((answer) => {
    const item = document.createElement("li");
    item.className = "answer-item";
    item.tabIndex = 0;
    const text = document.createElement("strong");
    text.className = "answer-text";
    text.textContent = answer.text;
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = scoreText(answer.score);
    score.title = "The reader's confidence in this answer";
    const source = document.createElement("div");
    source.className = "source";
    source.textContent = (answer.title || answer.article_id || "") + (answer.published ? " · " + answer.published : "");
    item.append(text, score, source);
    if (answer.speaker) {
      const speaker = document.createElement("div");
      speaker.className = "speaker";
      speaker.textContent = "said by " + answer.speaker;
      item.append(speaker);
    }
    if (answer.also_in && answer.also_in.length) {
      const also = document.createElement("div");
      also.className = "also-in";
      also.textContent = "also in " + answer.also_in.length + " source" + (answer.also_in.length === 1 ? "" : "s") + ": " +
        answer.also_in.map((c) => (c.title || c.article_id) + (c.published ? " (" + c.published + ")" : "")).join(", ");
      item.append(also);
    }
    if (answer.sentence) {
      const context = document.createElement("div");
      context.className = "context";
      context.textContent = answer.sentence.text;
      item.append(context);
    }
    const select = () => showAnswer(answer);
    item.addEventListener("click", select);
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") select(); });
    list.append(item);
  });
}

async function showAnswer(answer) {
  const ranges = [{ start: answer.start, end: answer.end, className: "answer" }];
  if (answer.sentence) ranges.unshift({ start: answer.sentence.start, end: answer.sentence.end, className: "sentence" });
  await showArticle(answer.article_id, ranges);
}

async function summarize() {
  const status = $("ask-status");
  let ids = selectedIds();
  if (!ids.length && state.viewing) ids = [state.viewing];
  if (!ids.length) ids = state.articles.map((a) => a.id);
  if (!ids.length) return setStatus(status, "Add an article first.", true);
  const body = ids.length === 1 ? { article_id: ids[0] } : { article_ids: ids };
  setStatus(status, "Summarizing…");
  try {
    const summary = await api("POST", "/v1/summarize", body);
    $("answers").replaceChildren();
    $("summary-text").textContent = summary.text;
    $("summary").hidden = false;
    setStatus(status, "Summary of " + summary.article_ids.length + " article(s) in " + Math.round(summary.took_ms) + " ms.");
    const shown = summary.article_ids[0];
    const ranges = summary.sentences
      .filter((s) => s.article_id === shown)
      .map((s) => ({ start: s.start, end: s.end, className: "summary" }));
    await showArticle(shown, ranges);
  } catch (error) {
    setStatus(status, error.message, true);
  }
}

// -- who said what -------------------------------------------------------------------------------

async function findQuotes(event) {
  event.preventDefault();
  const status = $("quotes-status");
  const speaker = $("quote-speaker").value.trim();
  const query = $("quote-query").value.trim();
  if (!speaker && !query) return setStatus(status, "Type a speaker or a topic first.", true);
  const body = { top_k: 10 };
  if (speaker) body.speaker = speaker;
  if (query) body.query = query;
  const ids = selectedIds();
  if (ids.length) body.article_ids = ids;
  setStatus(status, "Looking…");
  try {
    const result = await api("POST", "/v1/quotes", body);
    renderQuotes(result.quotes);
    setStatus(status, result.quotes.length ? result.quotes.length + " statement(s) in " + Math.round(result.took_ms) + " ms."
      : "No statement found.");
    if (result.quotes.length) await showQuote(result.quotes[0]);
  } catch (error) {
    setStatus(status, error.message, true);
  }
}

function renderQuotes(quotes) {
  const list = $("quotes");
  list.replaceChildren();
  quotes.forEach((quote) => {
    const item = document.createElement("li");
    item.className = "quote-item";
    item.tabIndex = 0;
    const who = document.createElement("strong");
    who.className = "quote-speaker";
    who.textContent = quote.speaker || (quote.source ? quote.source.text : "unattributed");
    const cue = document.createElement("span");
    cue.className = "quote-cue";
    cue.textContent = quote.cue ? " (" + quote.cue.text + ")" : "";
    const text = document.createElement("div");
    text.className = "quote-text";
    text.textContent = quote.text;
    const source = document.createElement("div");
    source.className = "source";
    source.textContent = quote.title || quote.article_id || "";
    item.append(who, cue, text, source);
    const select = () => showQuote(quote);
    item.addEventListener("click", select);
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") select(); });
    list.append(item);
  });
}

async function showQuote(quote) {
  const ranges = quote.content.map((piece) => ({ start: piece.start, end: piece.end, className: "answer" }));
  if (quote.source) ranges.push({ start: quote.source.start, end: quote.source.end, className: "quote-source" });
  await showArticle(quote.article_id, ranges);
}

// -- wiring ---------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("add-form").addEventListener("submit", addArticle);
  $("ask-form").addEventListener("submit", ask);
  $("summarize-button").addEventListener("click", summarize);
  $("quotes-form").addEventListener("submit", findQuotes);
  const reload = () => loadArticles().catch((error) => setStatus($("add-status"), error.message, true));
  if ($("api-key")) $("api-key").addEventListener("change", reload);  // reads need the key too
  reload();
});
