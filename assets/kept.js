/**
 * Choices this browser keeps between visits (localStorage). Where storage is blocked (a
 * sandboxed frame, strict privacy settings) nothing is kept and the defaults apply.
 *
 * Public: kept(name), keep(name, value).
 */
export function kept(name) {
  try {
    return localStorage.getItem(name);
  } catch {
    return null;
  }
}

export function keep(name, value) {
  try {
    localStorage.setItem(name, value);
  } catch {
    // the choice holds until the page is reloaded
  }
}
