/** A colour per mask class, shared by the worker's mask images and the UI's legend (index 0, background, is drawn transparent). */
export const CLASS_COLORS: readonly [number, number, number][] = [
  [0, 0, 0],
  [255, 196, 0],
  [220, 38, 38],
  [37, 99, 235],
  [22, 163, 74],
  [168, 85, 247],
  [236, 72, 153],
  [6, 182, 212],
];
