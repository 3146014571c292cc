// One rule for Train, shown before the click: it continues the loaded session while its model and
// data are unchanged (the settings that may change mid-run apply from the next step), and starts a
// new session, under a name of its own, when they differ.

/** One setting as the loaded session has it (`was`) and as the form has it now. */
export interface SettingPair {
  label: string;
  was: string | number | boolean;
  now: string | number | boolean;
}

/** The loaded session Train would continue, as the tab knows it. */
export interface LoadedForPlan {
  name: string;
  step: number;
  /** Another tab trains it: this tab can sample it but not train it. */
  elsewhere: boolean;
}

/** What Train does, decided before the click. */
export interface TrainPlan {
  /** True: Train continues the loaded session; false: it starts a new one. */
  continues: boolean;
  label: 'Train' | 'Train new session';
  /** The short line shown beside the button. */
  hint: string;
  /** Train cannot run now (the session trains in another tab). */
  blocked: boolean;
}

const shown = (v: SettingPair['was']) => (typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));
const changes = (pairs: SettingPair[]) =>
  pairs.filter((p) => p.was !== p.now).map((p) => `${p.label} ${shown(p.was)} → ${shown(p.now)}`);
const list = (words: string[]) =>
  words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;

/** Whether Train continues `loaded` or starts a new session, with the button's label and hint. */
export function planTrain(
  loaded: LoadedForPlan | null,
  architecture: SettingPair[],
  tunable: SettingPair[],
): TrainPlan {
  if (!loaded)
    return { continues: false, label: 'Train', hint: 'Starts a new session.', blocked: false };
  const differs = changes(architecture);
  if (differs.length)
    return {
      continues: false,
      label: 'Train new session',
      hint: `${list(differs)}: a new session, beside “${loaded.name}”, which stays at step ${loaded.step}.`,
      blocked: false,
    };
  if (loaded.elsewhere)
    return {
      continues: true,
      label: 'Train',
      hint: `“${loaded.name}” is training in another tab: pause it there to continue it here.`,
      blocked: true,
    };
  const tuned = changes(tunable);
  const mayChange = list(
    tunable.map((p, i) => (i ? p.label[0].toLowerCase() + p.label.slice(1) : p.label)),
  );
  return {
    continues: true,
    label: 'Train',
    hint:
      `Continues “${loaded.name}” from step ${loaded.step}` +
      (tuned.length ? ` with ${list(tuned)}` : '') +
      `. ${mayChange} may change between runs; other settings start a new session.`,
    blocked: false,
  };
}
