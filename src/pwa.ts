// UI-thread PWA plumbing: service worker registration and update hand-off, the install prompt,
// and persistent storage. No tfjs here; the UI decides what to show and when to apply an update.

/** Options for {@link registerServiceWorker}. */
export interface ServiceWorkerOptions {
  /**
   * Called once per new version that is installed and waiting; `apply` activates it and reloads
   * the page, so the caller must checkpoint running training sessions before calling it.
   */
  onUpdateReady(apply: () => Promise<void>): void;
}

/** The non-standard event Chromium fires when the app can be installed. */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>;
}

/** Registers `./sw.js` (production builds only) and reports waiting updates; null when unsupported or in dev. */
export async function registerServiceWorker(
  opts: ServiceWorkerOptions,
): Promise<ServiceWorkerRegistration | null> {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return null;
  const container = navigator.serviceWorker;
  let registration: ServiceWorkerRegistration;
  try {
    registration = await container.register('./sw.js', { scope: './', updateViaCache: 'none' });
  } catch (error) {
    console.warn('Service worker registration failed; the app will not work offline.', error);
    return null;
  }

  let applying = false;
  let reloading = false;
  const reloadOnce = () => {
    // One reload per page, whatever fires how often: never a reload loop.
    if (reloading) return;
    reloading = true;
    window.location.reload();
  };
  const apply = async (): Promise<void> => {
    const waiting = registration.waiting;
    // Another tab already activated the new version: this page only needs to load it.
    if (!waiting) return reloadOnce();
    applying = true;
    waiting.postMessage({ type: 'SKIP_WAITING' });
  };

  // The first install also changes the controller (clientsClaim), and another tab may activate an
  // update: only a change this page asked for reloads it; the app never reloads mid-training.
  let hadController = container.controller !== null;
  container.addEventListener('controllerchange', () => {
    if (applying) reloadOnce();
    else if (hadController) opts.onUpdateReady(apply);
    hadController = true;
  });

  const notified = new WeakSet<ServiceWorker>();
  const notifyIfWaiting = () => {
    const waiting = registration.waiting;
    // With no controller this is the first install, not an update.
    if (!waiting || !container.controller || notified.has(waiting)) return;
    notified.add(waiting);
    opts.onUpdateReady(apply);
  };
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    installing?.addEventListener('statechange', () => {
      if (installing.state === 'installed') notifyIfWaiting();
    });
  });
  notifyIfWaiting();

  // Training tabs stay open for hours: look for a new version whenever the tab comes back.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') registration.update().catch(() => undefined);
  });
  return registration;
}

/**
 * Reports whether the browser currently offers installation, with a `prompt` that shows its
 * dialog; returns a function that stops watching.
 */
export function watchInstallPrompt(
  onChange: (canInstall: boolean, prompt: () => Promise<void>) => void,
): () => void {
  let deferred: BeforeInstallPromptEvent | null = null;
  const prompt = async (): Promise<void> => {
    const event = deferred;
    if (!event) return;
    // An install event can be prompted only once; the browser fires a new one if still installable.
    deferred = null;
    onChange(false, prompt);
    await event.prompt();
    await event.userChoice;
  };
  const onBeforeInstall = (event: Event) => {
    // Keep the browser's mini-infobar away: the app shows its own Install button.
    event.preventDefault();
    deferred = event as BeforeInstallPromptEvent;
    onChange(true, prompt);
  };
  const onInstalled = () => {
    deferred = null;
    onChange(false, prompt);
  };
  window.addEventListener('beforeinstallprompt', onBeforeInstall);
  window.addEventListener('appinstalled', onInstalled);
  return () => {
    window.removeEventListener('beforeinstallprompt', onBeforeInstall);
    window.removeEventListener('appinstalled', onInstalled);
  };
}

/** Asks the browser not to evict this origin's storage; resolves true when storage is persistent. */
export async function requestPersistentStorage(): Promise<boolean> {
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage?.persist) return false;
  try {
    return (await storage.persisted()) || (await storage.persist());
  } catch {
    return false;
  }
}

/** Bytes used by and available to this origin, or null where the browser does not say. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage?.estimate) return null;
  try {
    const { usage, quota } = await storage.estimate();
    if (usage === undefined || quota === undefined) return null;
    return { usage, quota };
  } catch {
    return null;
  }
}
