/**
 * Offline use, page side. Registers the service worker (sw.js at the site root);
 * on a first visit waits until it controls the page, so the runtime and the model
 * are downloaded once, straight into its caches; shows the "Update available —
 * reload" prompt when a new version waits; and runs the "On this device" area:
 * what is saved for offline use, storage used, persistent storage, and clearing
 * the model cache.
 *
 * Public: takeControl({onProgress}) → Promise<{state, registration, message}>
 *   (state: "controlled", "bypassed" — a forced reload skips the worker —,
 *   "failed" or "unsupported"); showDevicePanel(offline, cataloguePromise).
 */
const siteRoot = new URL("../", import.meta.url);
const workerUrl = new URL("sw.js", siteRoot);

const megabytes = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const gigabytes = (bytes) => `${(bytes / 1e9).toFixed(1)} GB`;
const byId = (id) => document.getElementById(id);

/** Send a request to a service worker and wait for its answer. */
function ask(worker, type) {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data.result));
    worker.postMessage({ type }, [channel.port2]);
  });
}

/**
 * Register the service worker. A page it already controls goes on at once; on a
 * first visit this resolves when the worker has saved the app shell and taken
 * control (onProgress(loaded, total) follows the download), or when it failed.
 */
export async function takeControl({ onProgress } = {}) {
  if (!("serviceWorker" in navigator)) return { state: "unsupported" };
  const container = navigator.serviceWorker;
  let failure = "";
  container.addEventListener("message", ({ data }) => {
    if (data?.type === "install-progress") onProgress?.(data.loaded, data.total);
    if (data?.type === "install-failed") failure = data.message;
  });
  container.startMessages();
  const earlier = await container.getRegistration(siteRoot.href);
  let registration;
  try {
    registration = await container.register(workerUrl, { scope: siteRoot.href });
  } catch (error) {
    return { state: "failed", message: error.message };
  }
  if (container.controller) return { state: "controlled", registration };
  if (earlier?.active) return { state: "bypassed", registration };
  return new Promise((resolve) => {
    const controlled = () => resolve({ state: "controlled", registration });
    container.addEventListener("controllerchange", controlled, { once: true });
    const worker = registration.installing ?? registration.waiting;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "redundant") {
        resolve({ state: "failed", registration, message: failure || "the service worker did not install" });
      }
    });
    if (container.controller) controlled();
  });
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
  if (registration.waiting) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed") offer(worker);
    });
  });
  // A studio left open for days looks for a new version when it is shown again.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
}

function describeSaved(saved, catalogue) {
  const names = Object.fromEntries((catalogue?.models ?? []).map((entry) => [entry.id, entry.name]));
  const shell = `the studio (${megabytes(saved.shell.bytes)}, version ${saved.version.slice(0, 8)})`;
  const models = Object.entries(saved.models.byModel).map(([id, bytes]) => `${names[id] ?? id} (${megabytes(bytes)})`);
  if (!saved.shell.complete) return "The studio is not fully saved for offline use yet; the next online visit completes it.";
  if (models.length === 0) return `Saved for offline use: ${shell}. No model is saved yet: it is saved the next time one loads online.`;
  return `Works offline: ${shell} and ${models.join(", ")} are saved on this device.`;
}

const OFFLINE_STATES = {
  unsupported: "This browser cannot keep the studio for offline use; it works while online.",
  bypassed: "This start skipped the offline copy (a forced reload); the next start uses it again.",
};

/**
 * Run the "On this device" area for the result of takeControl (the catalogue
 * names the saved models); it refreshes itself when a model file has been saved.
 */
export async function showDevicePanel(offline, catalogueLoaded) {
  const status = byId("offline-status");
  const storage = byId("storage-usage");
  const clear = byId("clear-models");
  const dialog = byId("clear-models-dialog");
  const worker = () => offline.registration?.active;
  let saved = null;

  async function refresh() {
    if (offline.state === "failed") {
      status.textContent = `The studio could not be saved for offline use: ${offline.message}. It works online; the next visit tries again.`;
    } else if (offline.state in OFFLINE_STATES) {
      status.textContent = OFFLINE_STATES[offline.state];
    }
    if (worker()) {
      saved = await ask(worker(), "status");
      const catalogue = await catalogueLoaded.catch(() => null);
      if (offline.state === "controlled") status.textContent = describeSaved(saved, catalogue);
    }
    clear.disabled = !saved?.models.files;
    if (navigator.storage?.estimate) {
      const { usage, quota } = await navigator.storage.estimate();
      const kept = (await navigator.storage.persisted())
        ? "Persistent: the browser will not clear it to make room."
        : "Not persistent: the browser may clear it when space runs low.";
      storage.textContent = `Storage used: ${megabytes(usage)} of ${gigabytes(quota)} this browser allows the studio. ${kept}`;
    } else {
      storage.textContent = "This browser does not report storage use.";
    }
  }

  clear.addEventListener("click", () => {
    const bytes = saved?.models.bytes ?? 0;
    byId("clear-models-text").textContent =
      `This deletes the saved model files (${megabytes(bytes)}). The model in use keeps working until the ` +
      `studio closes; the next start downloads it again (${megabytes(bytes)}), which needs the network.`;
    dialog.showModal();
  });
  byId("clear-models-keep").addEventListener("click", () => dialog.close("keep"));
  byId("clear-models-confirm").addEventListener("click", async () => {
    dialog.close("clear");
    const cleared = await ask(worker(), "clear-models");
    await refresh();
    const message = byId("device-message");
    message.textContent =
      `Model cache cleared: ${megabytes(cleared.bytes)} freed. The next start downloads the model again.`;
    message.focus();
  });
  navigator.serviceWorker?.addEventListener("message", ({ data }) => {
    if (data?.type === "model-saved") refresh();
  });

  if (offline.state === "controlled" && navigator.storage?.persist && !(await navigator.storage.persisted())) {
    const granted = await navigator.storage.persist();
    byId("device-message").textContent = granted
      ? "The browser agreed to keep the studio's storage (persistent storage)."
      : "The browser did not grant persistent storage yet; it may clear saved files when space runs low. " +
        "Installing the studio as an app usually lets it keep them.";
  }
  if (offline.registration) offerUpdates(offline.registration);
  await refresh();
}
