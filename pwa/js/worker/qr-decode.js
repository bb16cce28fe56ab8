/* A worker that finds a QR code in a camera frame with jsQR (pwa/vendor/jsqr, Apache-2.0), for browsers without
 * BarcodeDetector (desktop and Linux Chromium, Firefox, Safari). The page posts {id, width, height, buffer} (RGBA
 * bytes, transferred) and gets {id, text} back, text null when no code was found. Off the main thread, the
 * verdict screen stays smooth while a frame is being decoded. */

importScripts('/vendor/jsqr/jsQR.min.js');

self.addEventListener('message', (event) => {
  const { id, width, height, buffer } = event.data || {};
  let text = null;
  try {
    const code = self.jsQR(new Uint8ClampedArray(buffer), width, height, { inversionAttempts: 'dontInvert' });
    text = code && code.data ? code.data : null;
  } catch (error) {
    text = null;
  }
  self.postMessage({ id, text });
});
