/**
 * Offline use, page side. Registers the service worker (sw.js at the site root);
 * on a first visit waits until it controls the page, so the runtime and the model
 * are downloaded once, straight into its caches; shows the "Update available —
 * reload" prompt when a new version waits; and runs the "On this device" area:
 * what is saved for offline use, storage used, persistent storage, and clearing
 * the model cache.
 *
 * Public: takeControl({onProgress}) → Promise<OfflineCopy>; OfflineCopy — state
 *   ("controlled"; "bypassed": a forced reload skips the worker; "failed";
 *   "unsupported"), message, problem, status(), saveModel({paths, hosted}, onProgress),
 *   deleteModel(id), clearModels(), and a "change" event; showDevicePanel(offline, cataloguePromise).
 */
const siteRoot = new URL("../", import.meta.url);
const workerUrl = new URL("sw.js", siteRoot);

const megabytes = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const gigabytes = (bytes) => `${(bytes / 1e9).toFixed(1)} GB`;
const byId = (id) => document.getElementById(id);

/** The studio's copy on this device, as the service worker keeps it. */
export class OfflineCopy extends EventTarget {
  /** Why saving something for offline use last failed ("" when it did not). */
  problem = "";

  constructor(state, registration = null, message = "") {
    super();
    this.state = state;
    this.registration = registration;
    this.message = message;
  }

  get controlled() {
    return this.state === "controlled";
  }

  /** Send a request to the active service worker; resolves with its result. */
  #ask(type, fields = {}, onProgress = null) {
    const worker = this.registration?.active;
    if (!worker) return Promise.reject(new Error("no service worker is active"));
    return new Promise((resolve, reject) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = ({ data }) => {
        if (data.progress) {
          onProgress?.(data.progress);
          return;
        }
        channel.port1.close(); // nothing after the answer
        if (data.error) reject(new Error(data.error));
        else resolve(data.result);
      };
      worker.postMessage({ type, ...fields }, [channel.port2]);
    });
  }

  /** What is saved: {version, shell: {files, bytes, complete}, models: {files, bytes, byModel}}. */
  status() {
    return this.#ask("status");
  }

  /** Download model files once into the offline copy: `paths` of this build (from the site
   * root), and `hosted` files of the model host ({url, model, size, sha256}, each checked
   * against its sha256); onProgress({loaded, total}) follows the bytes. */
  async saveModel({ paths, hosted = [] }, onProgress) {
    try {
      const saved = await this.#ask("save-model", { paths, hosted }, onProgress);
      this.problem = "";
      return saved;
    } catch (error) {
      this.problem = `The model could not be saved for offline use: ${error.message}.`;
      throw error;
    } finally {
      this.dispatchEvent(new Event("change"));
    }
  }

  /** Delete the saved files of the model `id`; resolves with {files, bytes} deleted. */
  async deleteModel(id) {
    const deleted = await this.#ask("delete-model", { id });
    this.dispatchEvent(new Event("change"));
    return deleted;
  }

  /** Delete the saved model files; resolves with {files, bytes} deleted. */
  async clearModels() {
    const cleared = await this.#ask("clear-models");
    this.dispatchEvent(new Event("change"));
    return cleared;
  }
}

/**
 * Register the service worker. A page it already controls goes on at once; on a
 * first visit this resolves when the worker has saved the app shell and taken
 * control (onProgress(loaded, total) follows the download), or when it failed.
 */
export async function takeControl({ onProgress } = {}) {
  let container;
  try {
    container = navigator.serviceWorker; // absent off HTTPS; throws in a frame sandboxed without its origin
  } catch {
    container = undefined;
  }
  if (!container) return new OfflineCopy("unsupported");
  // updateViaCache "none": looking for a new version skips the HTTP cache for offline-files.js too.
  const register = () => container.register(workerUrl, { scope: siteRoot.href, updateViaCache: "none" });
  if (container.controller) {
    register().catch(() => {}); // looks for a new version; offline, the current one goes on
    return new OfflineCopy("controlled", await container.ready);
  }
  let installFailed;
  const failure = new Promise((resolve) => { installFailed = resolve; });
  const followInstall = ({ data }) => {
    if (data?.type === "install-progress") onProgress?.(data.loaded, data.total);
    if (data?.type === "install-failed") installFailed(data.message);
  };
  container.addEventListener("message", followInstall);
  container.startMessages();
  try {
    const earlier = await container.getRegistration(siteRoot.href);
    const registration = await register();
    if (earlier?.active) return new OfflineCopy("bypassed", registration);
    return await new Promise((resolve) => {
      const controlled = () => resolve(new OfflineCopy("controlled", registration));
      container.addEventListener("controllerchange", controlled, { once: true });
      failure.then((message) => resolve(new OfflineCopy("failed", registration, message)));
      const worker = registration.installing ?? registration.waiting;
      worker?.addEventListener("statechange", () => {
        // The worker's own message says why; it may arrive just after the state changes.
        if (worker.state === "redundant") setTimeout(() => installFailed("the service worker did not install"), 1000);
      });
      if (container.controller) controlled();
    });
  } catch (error) {
    return new OfflineCopy("failed", null, error.message);
  } finally {
    container.removeEventListener("message", followInstall); // later installs are updates
  }
}

/** Show the update prompt when a new version has installed and waits. */
function offerUpdates(registration) {
  const container = navigator.serviceWorker;
  const area = byId("update");
  const button = byId("update-reload");
  let waiting = null;
  let asked = false;
  const show = (message) => {
    area.dataset.state = "ready";
    byId("update-message").textContent = message;
    button.hidden = false;
  };
  const offer = (worker) => {
    if (!container.controller) return; // a first install is not an update
    waiting = worker;
    show("A new version of the studio is ready.");
  };
  button.addEventListener("click", () => {
    if (!waiting) {
      location.reload();
      return;
    }
    asked = true;
    button.disabled = true;
    byId("update-message").textContent = "Updating…";
    waiting.postMessage({ type: "skip-waiting" });
  });
  container.addEventListener("controllerchange", () => {
    if (asked) location.reload();
    else show("The studio was updated in another tab. Reload to use the new version.");
    waiting = null;
  });
  const follow = (worker) => worker?.addEventListener("statechange", () => {
    if (worker.state === "installed") offer(worker);
  });
  if (registration.waiting) offer(registration.waiting);
  else follow(registration.installing); // an update that began before this page looked
  registration.addEventListener("updatefound", () => follow(registration.installing));
  // A studio left open for days looks for a new version when it is shown again.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
}

const NOT_CONTROLLED = {
  unsupported: () => "This browser cannot keep the studio for offline use; it works while online.",
  bypassed: () => "This start skipped the offline copy (a forced reload); the next start uses it again.",
  failed: (offline) =>
    `The studio could not be saved for offline use: ${offline.message}. It works online; the next visit tries again.`,
};

/** Names of what sw.js counts by folder: the catalogue's models, and the WebGPU runtime saved with one. */
function savedNames(catalogue) {
  const names = Object.fromEntries((catalogue?.models ?? []).map((entry) => [entry.id, entry.name]));
  names["ort-webgpu"] = "the WebGPU runtime";
  return names;
}

function describeSaved(saved, catalogue) {
  if (!saved.shell.complete) {
    return "The studio is not fully saved for offline use yet; the next online visit completes it.";
  }
  const names = savedNames(catalogue);
  const shell = `the studio (${megabytes(saved.shell.bytes)}, version ${saved.version.slice(0, 8)})`;
  const models = Object.entries(saved.models.byModel)
    .map(([id, bytes]) => `${names[id] ?? id} (${megabytes(bytes)})`);
  if (models.length === 0) {
    return `Saved for offline use: ${shell}. No model is saved yet: it is saved the next time one loads online.`;
  }
  return `Works offline: ${shell} and ${models.join(", ")} are saved on this device.`;
}

/**
 * Run the "On this device" area for an OfflineCopy (the catalogue names the saved
 * models); it follows the copy's "change" events.
 */
export async function showDevicePanel(offline, catalogueLoaded) {
  const status = byId("offline-status");
  const storage = byId("storage-usage");
  const message = byId("device-message");
  const clear = byId("clear-models");
  const dialog = byId("clear-models-dialog");
  const list = byId("saved-models");
  let saved = null;

  /** One "Delete" button per saved model. */
  function listSaved(catalogue) {
    const names = savedNames(catalogue);
    list.replaceChildren(...Object.entries(saved?.models.byModel ?? {}).map(([id, bytes]) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      const name = names[id] ?? id;
      button.type = "button";
      button.textContent = `Delete ${name} (${megabytes(bytes)})`;
      button.addEventListener("click", async () => {
        const deleted = await offline.deleteModel(id);
        message.textContent = `Deleted the saved files of ${name}: ${megabytes(deleted.bytes)} freed. ` +
          "The model in use keeps working until the studio closes; using it again downloads it again.";
        message.focus();
      });
      item.append(button);
      return item;
    }));
  }

  async function refresh() {
    if (offline.controlled) {
      saved = await offline.status();
      const catalogue = await catalogueLoaded.catch(() => null);
      status.textContent = [describeSaved(saved, catalogue), offline.problem].filter(Boolean).join(" ");
      listSaved(catalogue);
    } else {
      status.textContent = NOT_CONTROLLED[offline.state](offline);
    }
    clear.disabled = !saved?.models.files;
    if (navigator.storage?.estimate) {
      const { usage, quota } = await navigator.storage.estimate();
      const kept = (await navigator.storage.persisted())
        ? "Persistent: the browser will not clear it to make room."
        : "Not persistent: the browser may clear it when space runs low.";
      storage.textContent =
        `Storage used: ${megabytes(usage)} of ${gigabytes(quota)} this browser allows the studio. ${kept}`;
    } else {
      storage.textContent = "This browser does not report storage use.";
    }
  }

  clear.addEventListener("click", () => {
    const bytes = megabytes(saved?.models.bytes ?? 0);
    byId("clear-models-text").textContent =
      `This deletes the saved model files (${bytes}). The model in use keeps working until the studio ` +
      `closes; the next start downloads it again (${bytes}), which needs the network.`;
    dialog.showModal();
    byId("clear-models-keep").focus(); // the safe choice first (no autofocus: blocked in a cross-origin frame)
  });
  byId("clear-models-keep").addEventListener("click", () => dialog.close("keep"));
  byId("clear-models-confirm").addEventListener("click", async () => {
    dialog.close("clear");
    const cleared = await offline.clearModels();
    message.textContent =
      `Model cache cleared: ${megabytes(cleared.bytes)} freed. The next start downloads the model again.`;
    message.focus();
  });
  offline.addEventListener("change", () => refresh());

  if (offline.controlled && navigator.storage?.persist && !(await navigator.storage.persisted())) {
    message.textContent = (await navigator.storage.persist())
      ? "The browser agreed to keep the studio's storage (persistent storage)."
      : "The browser did not grant persistent storage yet; it may clear saved files when space runs low. " +
        "Installing the studio as an app usually lets it keep them.";
  }
  if (offline.registration) offerUpdates(offline.registration);
  await refresh();
}
