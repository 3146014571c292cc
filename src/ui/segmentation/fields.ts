import { html } from 'lit';
import type { NumberRule } from '../number-parse';
import '../number-field';
import type { NewSegSession } from '../../shared/protocol/segmentation';

/** The pretraining tasks of the encoder, by value and label. */
export const TASKS = [
  ['', 'None: train the U-Net from scratch'],
  ['glasses', 'Glasses yes/no (binary)'],
  ['hairColor', 'Hair colour (multi-class)'],
  ['attributes', 'Glasses, smile, hair visible (multi-label)'],
  ['faceSize', 'Face size in pixels (regression)'],
  ['mouthOpen', 'Mouth openness in [0, 1] (regression in [0, 1])'],
] as const;

/** A number field of the Segmentation form: its key in the request, its label, and what it accepts (the worker's own checks, said at the field). */
export type Field = [string, string, NumberRule];
const whole = (min: number, max: number): NumberRule => ({ min, max, integer: true });

/** The training fields. */
export const FIELDS: Field[] = [
  ['pretrainSteps', 'Pretrain steps', whole(0, 100_000)],
  ['frozenSteps', 'Frozen-encoder steps', whole(0, 100_000)],
  // The default encoder has 4 blocks.
  ['topK', 'Unfrozen top blocks', whole(0, 4)],
  ['learningRate', 'Learning rate', { min: 0, max: 1, aboveMin: true }],
  ['finetuneDivisor', 'Fine-tune LR divisor', { min: 1, max: 1000 }],
  ['lrDropStep', 'LR ÷10 from step (0: never)', whole(0, 10_000_000)],
  ['diceWeight', 'Dice loss weight (0: none)', { min: 0, max: 10 }],
  ['batchSize', 'Batch size', whole(1, 256)],
  ['evalEvery', 'Score held-out every N steps', whole(1, 100_000)],
];
/** The augmentation fields (Keras ImageDataGenerator units). */
export const AUGMENT: Field[] = [
  ['augment.rotationRange', 'Rotation (degrees)', { min: 0, max: 180 }],
  ['augment.widthShiftRange', 'Width shift (fraction of width)', { min: 0, max: 64 }],
  ['augment.heightShiftRange', 'Height shift (fraction of height)', { min: 0, max: 64 }],
  ['augment.shearRange', 'Shear (degrees)', { min: 0, max: 80 }],
  ['augment.zoomRange', 'Zoom (± fraction)', { min: 0, max: 0.9 }],
];

/** `req` with field `key` (`augment.x` for an augmentation) set to `value`. */
export function withField(req: NewSegSession, key: string, value: number | boolean): NewSegSession {
  return key.startsWith('augment.')
    ? { ...req, augment: { ...req.augment, [key.slice(8)]: value } }
    : { ...req, [key]: value };
}

/** One strict number field of the form, showing `req`'s value and reporting accepted changes. */
export function segField(
  [key, label, rule]: Field,
  req: NewSegSession,
  set: (key: string, value: number) => void,
) {
  const value = key.startsWith('augment.')
    ? (req.augment as Record<string, number> | undefined)?.[key.slice(8)]
    : (req[key as keyof NewSegSession] as number | undefined);
  return html`<number-field
    label=${label}
    .min=${rule.min}
    .max=${rule.max}
    ?integer=${rule.integer}
    ?above-min=${rule.aboveMin}
    .value=${value ?? 0}
    @value-change=${(e: CustomEvent<number>) => set(key, e.detail)}
  ></number-field>`;
}
