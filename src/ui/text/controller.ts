import { proxy } from 'comlink';
import type { ReactiveControllerHost } from 'lit';
import { validateCorpus } from '../../data/corpus';
import type { CorpusInfo } from '../../storage/corpora';
import { listCorpora, putCorpus } from '../../storage/corpora';
import { openAppDb } from '../../storage/db';
import { errorMessage } from '../../shared/protocol';
import { starterUrl } from '../../shared/starters';
import type { CharLstmApi } from '../../shared/protocol/apis';
import { SessionController } from '../session/controller';
import { charLstmWorker } from '../session/worker-client';
import type { CorpusRef, TextSample } from '../../shared/protocol/text';

/** Where the official tfjs example keeps its copy of the Nietzsche corpus. */
export const NIETZSCHE_URL =
  'https://storage.googleapis.com/tfjs-examples/lstm-text-generation/data/nietzsche.txt';
const NIETZSCHE_ID = 'nietzsche';
/** Files larger than this are refused before reading (the corpus limit is in characters). */
const MAX_FILE_BYTES = 25_000_000;

/** State and actions of the Text tab; all training happens in the char-LSTM worker. */
export class TextController extends SessionController<CharLstmApi> {
  corpora: CorpusInfo[] = [];
  selected: CorpusRef = { kind: 'bundled', name: 'Moby-Dick' };
  sampling = false;
  samples: string[] = [];
  /** The valid-word rate of each text of the last sample set. */
  sampleRates: number[] = [];
  sampleSeed = '';
  /** The sample sets kept with the loaded session, newest first. */
  sampleHistory: TextSample[] = [];
  /** Why the last picked text file was refused, '' when it was not. */
  fileError = '';

  constructor(host: ReactiveControllerHost) {
    super(host, 'char-lstm', charLstmWorker);
  }

  /** Re-reads corpora and sessions from IndexedDB. */
  override async refresh(): Promise<void> {
    this.corpora = await listCorpora(await openAppDb());
    await super.refresh();
  }

  /** Chooses the corpus for the next new session. */
  select(ref: CorpusRef): void {
    this.selected = ref;
    this.update();
  }

  /** Downloads the Nietzsche corpus and keeps it in IndexedDB for offline use. */
  async downloadNietzsche(): Promise<void> {
    if (!navigator.onLine) {
      this.error = 'Downloading the Nietzsche corpus needs a network connection; you are offline.';
      this.update();
      return;
    }
    await this.guard('Downloading the Nietzsche corpus…', async () => {
      const res = await fetch(NIETZSCHE_URL).catch(() => {
        throw new Error('The download failed: check your connection and try again.');
      });
      if (!res.ok) throw new Error(`The download failed (HTTP ${res.status}).`);
      await this.addCorpus(NIETZSCHE_ID, 'Nietzsche', await res.text(), 'download');
    });
  }

  /** Reads a picked text file, validates it and stores it; resolves to false when it was refused (see `fileError`). */
  async importFile(file: File): Promise<boolean> {
    this.fileError = '';
    await this.guard(`Reading ${file.name}…`, async () => {
      try {
        if (file.size > MAX_FILE_BYTES) {
          throw new Error(
            `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${MAX_FILE_BYTES / 1e6} MB.`,
          );
        }
        await this.addCorpus(undefined, file.name, await file.text(), 'file');
      } catch (e) {
        // Said at the file field, which the person is looking at, not at the top of the tab.
        this.fileError = errorMessage(e);
      }
    });
    return !this.fileError;
  }

  private async addCorpus(
    id: string | undefined,
    name: string,
    text: string,
    source: 'download' | 'file',
  ) {
    const problem = validateCorpus(text);
    if (problem) throw new Error(`${name}: ${problem}`);
    const info = await putCorpus(await openAppDb(), { id, name, text, source });
    this.selected = { kind: 'stored', id: info.id, name };
    this.notice = `${name} is stored on this device (${text.length.toLocaleString()} characters).`;
    await this.refresh();
  }

  /** Creates a new session on the selected corpus and starts training it. */
  async train(
    config: { batchSize?: number; learningRate?: number; units?: number } = {},
    lowerCase = true,
  ): Promise<void> {
    await this.guard('Preparing the corpus and the model…', async () => {
      this.started(
        await this.worker().startNew({ corpus: this.selected, config, lowerCase }, this.onProgress),
      );
      await this.afterLoad();
    });
  }

  /** Copies the starter into a new session and trains it on the selected corpus. */
  async fineTune(): Promise<void> {
    await this.guard('Copying the starter and preparing the corpus…', async () => {
      const worker = this.worker();
      if (!this.starterLoaded)
        await worker.openStarter(starterUrl('char-lstm', 'session.zip', document.baseURI));
      this.started(await worker.fineTune(this.selected, this.onProgress));
      await this.afterLoad();
    });
  }

  /** Generates text at each temperature, streaming it into `samples`. */
  async sample(seed: string, length: number, temperatures: number[]): Promise<void> {
    const id = this.current?.id ?? this.sessions[0]?.id;
    if (!id && !this.starter) {
      this.error = 'Train or resume a session first: there is no model to sample from.';
      this.update();
      return;
    }
    this.sampling = true;
    this.samples = temperatures.map(() => '');
    this.sampleRates = [];
    await this.guard('', async () => {
      const worker = this.worker();
      if (!this.current) {
        this.current = id
          ? await worker.open(id)
          : await worker.openStarter(starterUrl('char-lstm', 'session.zip', document.baseURI));
        // The card and the form show the session Sample loaded, as after Resume.
        await this.restoreStatus();
        await this.afterLoad();
      }
      const result = await worker.sample(
        { seed: seed || undefined, length, temperatures },
        proxy((texts: string[]) => {
          this.samples = texts;
          this.update();
        }),
      );
      this.sampleSeed = result.seed;
      this.samples = result.texts;
      this.sampleRates = result.validWordRates ?? [];
      // The worker re-read a checkpoint that another tab saved since: the chart follows it.
      if (result.step > (this.history.at(-1)?.step ?? -1)) await this.restoreStatus(false);
      // The worker owns the kept sets (and their bound): read them back rather than mirror them here.
      await this.readSampleHistory();
    });
    this.sampling = false;
    this.update();
  }

  protected override async afterLoad(): Promise<void> {
    await this.readSampleHistory();
  }

  protected override afterUnload(): void {
    this.sampleHistory = [];
  }

  // Newest first, as shown.
  private async readSampleHistory(): Promise<void> {
    this.sampleHistory = (await this.worker().samples()).slice().reverse();
  }

  /** Copies a sample to the clipboard and says so. */
  async copy(text: string, what: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.notice = `Copied the ${what} sample.`;
    } catch {
      this.error =
        'The browser refused access to the clipboard; select the text and copy it instead.';
    }
    this.update();
  }

  /** Stops a running generation. */
  cancelSample(): void {
    void this.worker().cancelSample();
  }
}
