/**
 * Where the built-in model runs: on the graphics card through WebGPU, or on the processor
 * through WASM. The creator's choice ("auto", "webgpu" or "wasm") is kept in this browser;
 * `?device=` overrides it (tests, benchmarks). "auto" takes WebGPU only from a hardware
 * adapter: a software one (SwiftShader) is slower than WASM.
 *
 * Public: DEVICE_CHOICES, preferredDevice(), keepPreference(choice), chooseDevice(choice, entry, dtype),
 * deviceFacts().
 */
import { keep, kept } from "./kept.js";

const SETTING = "musespark.device";
export const DEVICE_CHOICES = ["auto", "webgpu", "wasm"];

/** The creator's choice, or "auto". */
export function preferredDevice() {
  const asked = new URLSearchParams(location.search).get("device");
  return [asked, kept(SETTING)].find((choice) => DEVICE_CHOICES.includes(choice)) ?? "auto";
}

export function keepPreference(choice) {
  if (!DEVICE_CHOICES.includes(choice)) throw new Error(`Unknown device "${choice}".`);
  keep(SETTING, choice);
}

async function gpuAdapter() {
  try {
    return (await navigator.gpu?.requestAdapter()) ?? null;
  } catch {
    return null;
  }
}

const isSoftware = (adapter) => adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;

/**
 * What the browser tells of this device, to say which models suit it: {memoryGb, gpu,
 * shaderF16}. `memoryGb` is navigator.deviceMemory (Chromium reports 0.25 to 8, 8 meaning
 * "8 or more"; null where unknown); `gpu` describes a hardware adapter ("" where there is none).
 */
export async function deviceFacts() {
  const adapter = await gpuAdapter();
  const hardware = adapter && !isSoftware(adapter);
  return { memoryGb: navigator.deviceMemory ?? null, gpu: hardware ? describeAdapter(adapter) : "",
    shaderF16: Boolean(hardware && adapter.features.has("shader-f16")) };
}

function describeAdapter(adapter) {
  const { vendor, architecture, description } = adapter.info ?? {};
  return description || [vendor, architecture].filter(Boolean).join(" ") || "a graphics adapter";
}

/**
 * The device and precision for `entry` (a catalogue model) under `choice`:
 * {device, dtype, wasmDtype, gpu, note}. On WebGPU the fp16 weights are used where the
 * adapter computes in fp16 (and no `dtype` was asked for); otherwise the WASM weights, which
 * the GPU computes in fp32. `note` says why the model is not where the creator asked.
 */
export async function chooseDevice(choice, entry, dtype) {
  const wasmDtype = dtype ?? entry.dtype;
  const onWasm = (note = "") => ({ device: "wasm", dtype: wasmDtype, wasmDtype, gpu: "", note });
  if (choice === "wasm") return onWasm();
  const adapter = await gpuAdapter();
  if (!adapter) {
    return onWasm(choice === "webgpu" ? "This browser offers no WebGPU adapter, so the model runs on the processor (WASM)." : "");
  }
  if (choice === "auto" && isSoftware(adapter)) return onWasm();
  const half = !dtype && adapter.features.has("shader-f16") && "fp16" in entry.weights;
  return { device: "webgpu", dtype: half ? "fp16" : wasmDtype, wasmDtype, gpu: describeAdapter(adapter), note: "" };
}
