/**
 * Fetches a gzip-compressed file and inflates it off the page's main thread (the
 * browser's DecompressionStream works in chunks of 60–100 ms, each a long task there).
 * Message in: a URL string. Message out: `{bytes}` (an ArrayBuffer, transferred) or
 * `{error}` (a message saying what went wrong).
 */
self.onmessage = async ({ data: url }) => {
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url} could not be read (${response.status})`);
    const bytes = await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
    self.postMessage({ bytes }, [bytes]);
  } catch (error) {
    self.postMessage({ error: error.message });
  }
};
