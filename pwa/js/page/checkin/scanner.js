// The camera and the QR decoder, shared by the volunteer's scanner, the stamp passport and the enrolment screen.
// The camera comes from getUserMedia (the back camera where there is one). Frames are decoded by the browser's
// BarcodeDetector where it has one for QR codes (Android Chrome), else by jsQR in a worker (js/worker/qr-decode.js).
// A code that stays in view is reported once: it must leave the view for a moment before it counts again.

const SEEN_GAP_MS = 1500;
const MAX_SIDE = 640;

export class CameraError extends Error {
  constructor(reason, cause) {
    super(reason);
    this.reason = reason; // 'unsupported' | 'denied' | 'no_camera' | 'busy' | 'failed'
    this.cause = cause;
  }
}

async function nativeDecoder() {
  if (!('BarcodeDetector' in globalThis)) return null;
  try {
    const formats = await globalThis.BarcodeDetector.getSupportedFormats();
    if (!formats.includes('qr_code')) return null;
    const detector = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
    return {
      kind: 'native',
      async decode(video) {
        const found = await detector.detect(video);
        return found.length ? found[0].rawValue : null;
      },
      close() {},
    };
  } catch {
    return null;
  }
}

const DECODER = '/js/worker/qr-decode.js';
// what the decoder imports (importScripts in the worker): fetched beside it, so both are kept for offline use
const DECODER_LIBRARY = '/vendor/jsqr/jsQR.min.js';

/** Fetch the jsQR decoder now, while there may be signal: the service worker keeps what a screen fetches (sw.js,
 * the lazy cache), so a camera started later at a door without signal still reads codes. */
export function keepDecoder() {
  if (!navigator.onLine) return;
  for (const url of [DECODER, DECODER_LIBRARY]) fetch(url).catch(() => {});
}

function workerDecoder() {
  const worker = new Worker(DECODER);
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const waiting = new Map();
  let next = 0;
  worker.addEventListener('message', ({ data }) => {
    waiting.get(data.id)?.(data.text);
    waiting.delete(data.id);
  });
  worker.addEventListener('error', () => {
    for (const resolve of waiting.values()) resolve(null);
    waiting.clear();
  });
  const post = (width, height, data) => {
    const id = (next += 1);
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      worker.postMessage({ id, width, height, buffer: data.buffer }, [data.buffer]);
    });
  };
  // The worker's first decode loads and compiles jsQR: done now, on a blank frame, not on the first pass.
  const ready = post(480, 480, new Uint8ClampedArray(480 * 480 * 4).fill(255));
  return {
    kind: 'jsqr',
    ready,
    decode(video) {
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (!w || !h) return Promise.resolve(null);
      // the square the viewfinder shows (the picture's middle), at most MAX_SIDE pixels a side
      const side = Math.min(w, h);
      canvas.width = Math.min(side, MAX_SIDE);
      canvas.height = canvas.width;
      context.drawImage(video, (w - side) / 2, (h - side) / 2, side, side, 0, 0, canvas.width, canvas.height);
      const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
      return post(width, height, data);
    },
    close() {
      worker.terminate();
    },
  };
}

export class QrScanner {
  /**
   * @param {HTMLVideoElement} video where the camera shows
   * @param {(text: string, detectedAt: number) => void} onCode each new code, with performance.now() of its frame
   */
  constructor(video, onCode) {
    this.video = video;
    this.onCode = onCode;
    this.stream = null;
    this.decoder = null;
    this.running = false;
    this.paused = false;
    this.last = null; // {text, seen}
  }

  get active() {
    return this.running;
  }

  async start() {
    if (this.running) return;
    if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('unsupported');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      const reason = { NotAllowedError: 'denied', SecurityError: 'denied', NotFoundError: 'no_camera',
        OverconstrainedError: 'no_camera', NotReadableError: 'busy' }[error.name] || 'failed';
      throw new CameraError(reason, error);
    }
    this.video.srcObject = this.stream;
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.setAttribute('playsinline', '');
    try {
      await this.video.play();
    } catch (error) {
      this.stop();
      throw new CameraError('failed', error);
    }
    this.decoder = (await nativeDecoder()) || workerDecoder();
    await this.decoder.ready;
    this.running = true;
    this.loop();
  }

  async loop() {
    while (this.running) {
      const at = performance.now();
      let text = null;
      if (!this.paused && this.video.readyState >= 2) {
        try {
          text = await this.decoder.decode(this.video);
        } catch {
          text = null;
        }
      }
      if (!this.running) return;
      if (text) this.seen(text, at);
      await new Promise((resolve) => { setTimeout(resolve, this.decoder.kind === 'native' ? 90 : 40); });
    }
  }

  seen(text, at) {
    const now = performance.now();
    const again = this.last && this.last.text === text && now - this.last.seen < SEEN_GAP_MS;
    this.last = { text, seen: now };
    if (!again) this.onCode(text, at);
  }

  /** Let the code in view count again (the volunteer asked to scan it again). */
  forget() {
    this.last = null;
  }

  stop() {
    this.running = false;
    for (const track of this.stream?.getTracks() || []) track.stop();
    this.stream = null;
    if (this.video) this.video.srcObject = null;
    this.decoder?.close();
    this.decoder = null;
  }
}
