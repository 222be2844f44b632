/**
 * Every message between a host page and the studio embedded in it (an iframe,
 * usually made by the <muse-spark> element of assets/embed.js). Each message is
 * a plain object `{type, version, ...}`; `version` is PROTOCOL_VERSION.
 *
 * Host → studio (sent to the studio's origin):
 *   hello  {}                         ask the studio to answer `ready` once it can
 *   brief  {brief: {topic, format?, tone?, audience?, keywords?, avoid?, count?},
 *           spark?: boolean}          fill the brief form; `spark` also sparks ideas
 * Studio → host (sent only to an origin listed in the studio's own embed.json):
 *   ready  {}                         the studio is running and takes briefs
 *   text   {text, record}             the creator pressed "Send to …": the draft and
 *                                     its signed provenance record (app/core/provenance.py)
 *   error  {message}                  a message from the host could not be used
 *
 * Exports: PROTOCOL_VERSION, LIMITS, protocolMessage, briefProblem, wordsText, messageProblem.
 */

export const PROTOCOL_VERSION = 1;

/** The brief form's own limits (app/core/brief.py; index.html's fields). */
export const LIMITS = { topic: 2000, field: 200, minCount: 3, maxCount: 10, messageChars: 20_000 };

const BRIEF_KEYS = new Set(["topic", "format", "tone", "audience", "keywords", "avoid", "count"]);
const TYPES = { hello: new Set(), brief: new Set(["brief", "spark"]) };

/** A versioned message of `type` carrying `fields`. */
export function protocolMessage(type, fields = {}) {
  return { type, version: PROTOCOL_VERSION, ...fields };
}

const isRecord = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/** Words to include or avoid: text ("a, b") or a list of texts, as the form's comma-separated text. */
function wordsField(name, value) {
  if (Array.isArray(value) && value.every((word) => typeof word === "string")) value = value.join(", ");
  if (typeof value !== "string") return [null, `brief.${name} must be text or a list of texts`];
  if (value.length > LIMITS.field) return [null, `brief.${name} is ${value.length} characters; at most ${LIMITS.field}`];
  return [value, null];
}

/**
 * What is wrong with a brief (a sentence), or null. `choices` may name the formats
 * and tones the studio offers ({formats: [...], tones: [...]}); without them only
 * types and sizes are checked.
 */
export function briefProblem(brief, choices = {}) {
  if (!isRecord(brief)) return "brief must be an object with a topic";
  const unknown = Object.keys(brief).filter((key) => !BRIEF_KEYS.has(key));
  if (unknown.length) return `brief has unknown fields: ${unknown.join(", ")} (known: ${[...BRIEF_KEYS].join(", ")})`;
  if (typeof brief.topic !== "string" || !brief.topic.trim()) return "brief.topic must be non-empty text";
  if (brief.topic.length > LIMITS.topic) {
    return `brief.topic is ${brief.topic.length} characters; at most ${LIMITS.topic}`;
  }
  for (const name of ["format", "tone", "audience"]) {
    const value = brief[name];
    if (value === undefined) continue;
    if (typeof value !== "string") return `brief.${name} must be text`;
    if (value.length > LIMITS.field) return `brief.${name} is ${value.length} characters; at most ${LIMITS.field}`;
  }
  for (const [name, offered] of [["format", choices.formats], ["tone", choices.tones]]) {
    if (offered && brief[name] && !offered.includes(brief[name])) {
      return `brief.${name} "${brief[name]}" is not offered here: use one of ${offered.join(", ")}`;
    }
  }
  for (const name of ["keywords", "avoid"]) {
    if (brief[name] !== undefined) {
      const [, problem] = wordsField(name, brief[name]);
      if (problem) return problem;
    }
  }
  if (brief.count !== undefined && !(Number.isInteger(brief.count) && brief.count >= LIMITS.minCount
      && brief.count <= LIMITS.maxCount)) {
    return `brief.count must be a whole number from ${LIMITS.minCount} to ${LIMITS.maxCount}`;
  }
  return null;
}

/** The words of a checked brief's `keywords` or `avoid` as the form's text. */
export function wordsText(value) {
  return value === undefined ? "" : wordsField("", value)[0];
}

/** What is wrong with a message from a host (a sentence), or null. */
export function messageProblem(message, choices = {}) {
  if (!isRecord(message) || typeof message.type !== "string") {
    return "a message must be an object with a type and a version";
  }
  if (!(message.type in TYPES)) return `unknown message type "${message.type}" (known: ${Object.keys(TYPES).join(", ")})`;
  if (message.version !== PROTOCOL_VERSION) {
    return `protocol version ${JSON.stringify(message.version)} is not supported: this studio speaks version ${PROTOCOL_VERSION}`;
  }
  const extra = Object.keys(message).filter((key) => key !== "type" && key !== "version" && !TYPES[message.type].has(key));
  if (extra.length) return `a ${message.type} message has unknown fields: ${extra.join(", ")}`;
  let size;
  try {
    size = JSON.stringify(message).length;
  } catch {
    return "a message must be plain data (text, numbers, lists, objects)";
  }
  if (size > LIMITS.messageChars) return `the message is ${size} characters; at most ${LIMITS.messageChars}`;
  if (message.type === "brief") {
    if (message.spark !== undefined && typeof message.spark !== "boolean") return "spark must be true or false";
    return briefProblem(message.brief, choices);
  }
  return null;
}
