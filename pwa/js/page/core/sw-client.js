// Service worker registration. A new version installs in the background and waits; the page shows
// "update available — reload", and only then tells it to take over (skipWaiting), then reloads.

export function registerServiceWorker(shell) {
  if (!('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  let reloading = false;
  container.addEventListener('controllerchange', () => {
    if (!shell.reloading || reloading) return;
    reloading = true;
    location.reload();
  });
  const watch = (registration) => {
    if (registration.waiting && container.controller) shell.offerUpdate(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && container.controller) shell.offerUpdate(worker);
      });
    });
    // Look for a new version when the app comes back to the foreground (at most hourly).
    let checked = Date.now();
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && Date.now() - checked > 3600_000 && navigator.onLine) {
        checked = Date.now();
        registration.update().catch(() => {});
      }
    });
  };
  const start = () => container.register('/sw.js', { scope: '/' }).then(watch).catch((error) => {
    console.warn('lehoi: the service worker could not be registered', error);
  });
  if (document.readyState === 'complete') start();
  else window.addEventListener('load', start, { once: true });
}
