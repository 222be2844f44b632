/**
 * Several replies to one prompt, decoded together: the prompt is prefilled once (by the
 * prompt cache), its KV cache copied to every row, and the rows sampled side by side, each
 * to its end or, when asked, its first line break. A row that has ended ends again at every
 * step, so the batch stops once all have. A model whose graph takes batches of one
 * (`max_batch_size: 1` in its config) gets its rows one after another, each reusing the
 * prompt's cache whole.
 */
import { Tensor } from "../vendor/transformers/transformers.min.js";

/** Per row: the tokens chosen, their log-probabilities (after every other processor), and whether it has ended. */
function rowsOf(tokenizer, endToken, count, stopAtLineEnd) {
  const rows = Array.from({ length: count }, () => ({ ids: [], logprob: 0, ended: false }));
  let steps = null; // this step's scores and log-softmax shift, per row
  let promptSeen = false;
  let firstTokenAt = 0;
  return {
    rows,
    get firstTokenAt() {
      return firstTokenAt;
    },
    /** The last logits processor: a row that has ended may only end again. */
    processor(_ids, logits) {
      steps = rows.map((row, r) => {
        const scores = logits[r].data;
        if (row.ended) {
          scores.fill(-Infinity);
          scores[endToken] = 0;
        }
        let max = -Infinity;
        for (const score of scores) if (score > max) max = score;
        let sum = 0;
        for (const score of scores) sum += Math.exp(score - max);
        return { scores, shift: max + Math.log(sum) };
      });
      return logits;
    },
    /** The streamer interface generate() calls: the prompt first, then each step's token per row. */
    put(values) {
      if (!promptSeen) {
        promptSeen = true;
        return;
      }
      firstTokenAt ||= performance.now();
      values.forEach(([token], r) => {
        const row = rows[r];
        const id = Number(token);
        if (row.ended) return;
        if (id === endToken) {
          row.ended = true;
          return;
        }
        row.logprob += steps[r].scores[id] - steps[r].shift;
        row.ids.push(id);
        if (stopAtLineEnd && /\S[^\n]*\n/.test(tokenizer.decode(row.ids, { skip_special_tokens: true }))) {
          row.ended = true;
        }
      });
    },
    end() {},
  };
}

function repeated(values, count) {
  return BigInt64Array.from({ length: values.length * count }, (_, i) => BigInt(values[i % values.length]));
}

async function decodeRows({ tokenizer, model }, prompts, ids, options, count, stopAtLineEnd, stopping) {
  const { cache, reused } = await prompts.prefill(model, ids, count);
  const endToken = [model.generation_config?.eos_token_id ?? model.config.eos_token_id].flat()[0];
  const rows = rowsOf(tokenizer, endToken, count, stopAtLineEnd);
  try {
    await model.generate({
      input_ids: new Tensor("int64", repeated(ids, count), [count, ids.length]),
      attention_mask: new Tensor("int64", new BigInt64Array(count * ids.length).fill(1n), [count, ids.length]),
      ...options,
      ...(cache ? { past_key_values: cache } : {}),
      streamer: rows,
      stopping_criteria: [stopping],
      logits_processor: [rows.processor],
    });
  } finally {
    await cache?.dispose(); // frees the GPU tensors generation left in it (none on WASM)
  }
  return { rows: rows.rows, firstTokenAt: rows.firstTokenAt, reused };
}

/**
 * `count` replies to the prompt `ids`: {samples: [{text, tokens, logprob}], firstTokenAt,
 * reused (prompt tokens whose cache was kept from the prompt before), cut (a row reached
 * the token limit)}.
 */
export async function sampleReplies(loaded, prompts, ids, options, count, stopAtLineEnd, stopping) {
  const batches = loaded.model.config?.max_batch_size === 1 ? Array(count).fill(1) : [count];
  const rows = [];
  let firstTokenAt = 0;
  let reused = null;
  for (const size of batches) {
    if (stopping.interrupted) break;
    const batch = await decodeRows(loaded, prompts, ids, options, size, stopAtLineEnd, stopping);
    rows.push(...batch.rows);
    firstTokenAt ||= batch.firstTokenAt;
    reused ??= batch.reused;
  }
  const limit = options.max_new_tokens ?? Infinity;
  return {
    samples: rows.map((row) => ({
      text: loaded.tokenizer.decode(row.ids, { skip_special_tokens: true }),
      tokens: row.ids.length,
      logprob: Number.isFinite(row.logprob) ? row.logprob : 0,
    })),
    firstTokenAt,
    reused: reused ?? 0,
    cut: rows.some((row) => !row.ended && row.ids.length >= limit),
  };
}
