/**
 * The studio's side of embedding (messages: assets/embed-protocol.js).
 *
 * Page options, read from the studio's own URL (a host's <muse-spark> element sets them):
 *   formats=blog post,newsletter  offer only these format presets (the first is chosen)
 *   theme=dark | light            colours
 *   compact                       a tighter layout without the masthead
 *
 * The host link, when the studio runs in a frame: it answers only origins listed in
 * embed.json at the studio's own root ({"allowedOrigins": [ORIGIN, …]}, each ORIGIN a
 * scheme, host and optional port, as a browser writes a page's origin),
 * a file only whoever deploys the studio controls; with no such file the link is off.
 * Nothing in the URL or in a message can widen the list. Messages from other origins
 * are ignored with a quiet console note; a bad message from an allowed origin gets an
 * `error` reply. Once a host is connected, a "Send to <origin>" button posts the draft
 * and its signed provenance record (signed by the Python studio,
 * `museSpark.signDraftForHost`) to that origin only.
 *
 * Loaded by index.html; it applies the options and starts the link at once.
 */
import { messageProblem, protocolMessage, wordsText } from "./embed-protocol.js";

const THEMES = new Set(["light", "dark"]);

const element = (id) => document.getElementById(id);
const offered = (id) => [...element(id).options].map((option) => option.value).filter(Boolean);

/** Apply `formats`, `theme` and `compact` from the page's URL; unknown values are ignored. */
function applyPageOptions(query) {
  const root = document.documentElement;
  const theme = query.get("theme");
  if (THEMES.has(theme)) root.dataset.theme = theme;
  if (query.has("compact")) root.dataset.layout = "compact";
  const formats = query.get("formats");
  if (formats) {
    const wanted = new Set(formats.split(",").map((name) => name.trim().toLowerCase()));
    const select = element("brief-format");
    const keep = [...select.options].filter((option) => wanted.has(option.value));
    if (keep.length) {
      select.replaceChildren(...keep);
      select.selectedIndex = 0;
    }
  }
}

/** Origins allowed by embed.json, checked; an empty set (the link off) when there is none. */
async function readAllowedOrigins() {
  const off = (why) => {
    console.info(`MuseSpark: the embedding API is off (${why}).`);
    return new Set();
  };
  let config;
  try {
    const response = await fetch(new URL("../embed.json", import.meta.url), { cache: "no-cache" });
    if (!response.ok) return off(`embed.json: ${response.status}`);
    config = await response.json();
  } catch (error) {
    return off(`embed.json cannot be read: ${error.message}`);
  }
  const listed = Array.isArray(config?.allowedOrigins) ? config.allowedOrigins : [];
  const origins = new Set();
  for (const entry of listed) {
    let origin = null;
    try {
      origin = new URL(entry).origin;
    } catch {}
    if (typeof entry === "string" && origin !== "null" && origin === entry.replace(/\/$/, "")) origins.add(origin);
    else console.warn(`MuseSpark: embed.json lists ${JSON.stringify(entry)}, which is not an origin (a scheme, host and optional port, nothing after them); it is skipped.`);
  }
  return origins.size ? origins : off("embed.json lists no origins in allowedOrigins");
}

/** Resolves once the Python studio has wired the page (`main[data-python=ready]`). */
function studioReady() {
  const main = element("studio");
  return new Promise((resolve) => {
    const observer = new MutationObserver(() => check());
    const check = () => {
      if (main.dataset.python !== "ready") return;
      observer.disconnect();
      resolve();
    };
    observer.observe(main, { attributes: true, attributeFilter: ["data-python"] });
    check();
  });
}

function setField(id, value) {
  const field = element(id);
  if (value === undefined && field.tagName === "SELECT") field.selectedIndex = 0;
  else field.value = value ?? "";
  field.dispatchEvent(new Event("input", { bubbles: true }));
  field.dispatchEvent(new Event("change", { bubbles: true }));
}

/** Put a checked brief in the form (fields left out are emptied; the idea count stays). */
function fillBrief(brief) {
  setField("brief", brief.topic);
  setField("brief-format", brief.format || undefined);
  setField("brief-tone", brief.tone || undefined);
  setField("brief-audience", brief.audience);
  setField("brief-keywords", wordsText(brief.keywords));
  setField("brief-avoid", wordsText(brief.avoid));
  if (brief.count !== undefined) setField("idea-count", String(brief.count));
}

/** Listen to the host page, if the studio runs in a frame. */
function startHostLink() {
  if (window.parent === window) return;
  let allowed = null; // read at the first message: a plain iframe never asks for embed.json
  const ignored = new Set();
  const ready = studioReady();
  const send = element("send-to-host");
  let host = null;

  const reply = (origin, type, fields) => window.parent.postMessage(protocolMessage(type, fields), origin);

  function connect(origin) {
    host = origin;
    send.textContent = `Send to ${origin}`;
    send.hidden = false;
  }

  async function handle(origin, data) {
    allowed ??= readAllowedOrigins();
    if (!(await allowed).has(origin)) {
      if (!ignored.has(origin)) console.info(`MuseSpark: ignored messages from ${origin}: it is not in embed.json's allowedOrigins.`);
      ignored.add(origin);
      return;
    }
    await ready;
    const problem = messageProblem(data, { formats: offered("brief-format"), tones: offered("brief-tone") });
    if (problem) {
      reply(origin, "error", { message: problem });
      return;
    }
    connect(origin);
    if (data.type === "hello") {
      reply(origin, "ready");
    } else if (data.type === "brief") {
      fillBrief(data.brief);
      if (data.spark) element("brief-form").requestSubmit();
    }
  }

  window.addEventListener("message", (event) => {
    if (event.source === window.parent) handle(event.origin, event.data);
  });

  send.addEventListener("click", async () => {
    const signed = await globalThis.museSpark.signDraftForHost(host);
    if (signed) reply(host, "text", { text: signed.text, record: signed.record });
  });
}

applyPageOptions(new URLSearchParams(location.search));
startHostLink();
