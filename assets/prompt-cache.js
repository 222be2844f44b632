/**
 * Prefix reuse for the model worker: keeps the KV cache of the last prompt, so the next
 * prompt that starts with the same tokens (the chat template's system turn, the same
 * request asked again for another candidate or a retry) prefills only what differs.
 * The cache is kept in CPU memory, so it outlives its generation: on WebGPU, where the
 * model's outputs stay on the GPU, it is read back once per prefill.
 */
import { DynamicCache, Tensor } from "../vendor/transformers/transformers.min.js";

const PAST = "past_key_values.";
const PRESENT = "present.";

function sharedLength(a, b) {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length += 1;
  return length;
}

/** The first `length` positions of every key and value tensor ([batch, heads, positions, dim]). */
function firstPositions(entries, length) {
  const sliced = {};
  for (const [name, tensor] of Object.entries(entries)) sliced[name] = tensor.slice(null, null, [0, length], null);
  return sliced;
}

/** Each tensor repeated `rows` times along its batch axis, for that many rows decoded at once. */
function tiled(entries, rows) {
  const copies = {};
  for (const [name, tensor] of Object.entries(entries)) {
    const data = new tensor.data.constructor(tensor.data.length * rows);
    for (let row = 0; row < rows; row += 1) data.set(tensor.data, row * tensor.data.length);
    copies[name] = new Tensor(tensor.type, data, [rows, ...tensor.dims.slice(1)]);
  }
  return copies;
}

/** `tensor` in CPU memory (read back from the GPU, whose copy is released). */
async function onCpu(tensor) {
  if (tensor.location !== "gpu-buffer") return tensor;
  return new Tensor(tensor.type, await tensor.ort_tensor.getData(true), tensor.dims);
}

const ids = (values) => new Tensor("int64", BigInt64Array.from(values, BigInt), [1, values.length]);
const ones = (length) => new Tensor("int64", new BigInt64Array(length).fill(1n), [1, length]);

export class PromptCache {
  constructor() {
    this.clear();
  }

  clear() {
    this.tokens = [];
    this.entries = null;
  }

  /**
   * The KV cache of all of `prompt` (token ids) but its last token, which generation
   * feeds itself: reuses the longest prefix shared with the last prompt and prefills the
   * rest. Returns {cache (a fresh DynamicCache, for `rows` rows decoded at once, or null
   * for a one-token prompt), reused}.
   */
  async prefill(model, prompt, rows = 1) {
    const wanted = prompt.slice(0, -1);
    if (wanted.length === 0) return { cache: null, reused: 0 };
    const reused = sharedLength(this.tokens, wanted);
    let entries = reused === this.tokens.length ? this.entries : reused ? firstPositions(this.entries, reused) : null;
    if (reused < wanted.length) {
      const outputs = await model.forward({
        input_ids: ids(wanted.slice(reused)),
        attention_mask: ones(wanted.length),
        ...(reused ? { past_key_values: new DynamicCache(entries) } : {}),
      });
      entries = {};
      for (const [name, tensor] of Object.entries(outputs)) {
        if (name.startsWith(PRESENT)) entries[PAST + name.slice(PRESENT.length)] = await onCpu(tensor);
      }
    }
    this.tokens = wanted;
    this.entries = entries;
    return { cache: new DynamicCache(rows === 1 ? { ...entries } : tiled(entries, rows)), reused };
  }
}
