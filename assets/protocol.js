/**
 * The model worker's message protocol: every message between the page and
 * assets/model-worker.js is described here, and nowhere else.
 *
 * Every message is a plain object `{type, id, ...}`. `id` names one request and
 * every event answering it carries the same `id`.
 *
 * Requests (page → worker):
 *   load     {model: ModelSpec}                       load (once) and warm up a model
 *   generate {model: ModelSpec, messages, options, prefill, samples, stopAtLineEnd}
 *                                                     stream a chat completion; `prefill`
 *                                                     starts the reply (not streamed back).
 *                                                     With `samples` > 1: that many replies,
 *                                                     decoded together and not streamed (each
 *                                                     to its first line break if
 *                                                     `stopAtLineEnd`), in `done`'s `samples`
 *   embed    {embedder: ModelSpec, texts}             sentence vectors of `texts` (the embedding
 *                                                     model loads on first use, kept beside the
 *                                                     chat model; no progress or ready events)
 *   abort    {}                                       stop the generation with this id
 *   reset    {}                                       drop the loaded model
 *
 * Events (worker → page):
 *   started  {}                                       the worker runs (id 0, sent once). It then
 *                                                     holds the Web Lock named by its Worker
 *                                                     `name` until it ends, however it ends
 *                                                     (crash, close, terminate): the page learns
 *                                                     of a silent death when it gets the lock
 *   progress {file, loaded, total}                    bytes of one model file fetched
 *   ready    {model, loadMs, warmupMs}                model loaded and warmed up (answers a
 *                                                     `load`; a `generate` that had to load
 *                                                     first gets it too, before its tokens)
 *   token    {text}                                   newly decoded text of a generation
 *   done     {reason, tokens, firstTokenMs, decodeMs, promptTokens, reusedTokens (prompt
 *            tokens whose KV cache came from the last prompt), logprob (sum over the tokens),
 *            samples ([{text, tokens, logprob}], when asked for)}
 *   embeddings {vectors}                              answers `embed`: one unit-length vector
 *                                                     (mean-pooled) per text
 *   error    {name, message}                          the request failed; name is an ErrorName
 *
 * ModelSpec: {id, dtype, path} — folder `path + id + "/"` holds config,
 * tokenizer and `onnx/` weights as transformers.js lays them out.
 * Generation options: {max_new_tokens, do_sample, temperature, top_p, repetition_penalty}.
 */

export const Request = Object.freeze({
  LOAD: "load",
  GENERATE: "generate",
  EMBED: "embed",
  ABORT: "abort",
  RESET: "reset",
});

export const Event = Object.freeze({
  STARTED: "started",
  PROGRESS: "progress",
  READY: "ready",
  TOKEN: "token",
  DONE: "done",
  EMBEDDINGS: "embeddings",
  ERROR: "error",
});

/** Error names shared with the Python bridge, which maps each to an exception. */
export const ErrorName = Object.freeze({
  MODEL_NOT_FOUND: "ModelNotFoundError",
  MODEL_LOAD: "ModelLoadError",
  GENERATION: "GenerationError",
  BAD_REQUEST: "BadRequestError",
  WORKER_CRASHED: "WorkerCrashedError",
  ABORTED: "AbortError",
  ENGINE: "EngineError", // the creator's own server (endpoint-client.js) failed or refused
  ENGINE_LOST: "EngineLostError", // that server stopped answering after its reply had begun
});

/** Why a generation ended. */
export const DoneReason = Object.freeze({
  STOP: "stop",
  LENGTH: "length",
  ABORTED: "aborted",
});

/** Build a message; `fields` must be structured-cloneable. */
export function message(type, id, fields = {}) {
  return { type, id, ...fields };
}

/** An Error carrying one of the protocol's names. */
export function namedError(name, text) {
  const error = new Error(text);
  error.name = name;
  return error;
}
