import { encodeWav } from '../../audio/encode';
import { decodeWav } from '../../audio/wav';
import { Rng } from '../../util/rng';
import { ModelListing, ModelMeta, ModelSummary, pageSource, TrainingSamples } from './api';
import { ConditionControls } from './condition-controls';
import { choiceLabel, ConditionChoice, conditionOfDroppedFile, describeChoice, initialChoice, vectorOf } from './conditioning';
import { DrumPadsView, PAD_KEYS, PAD_NOTES, PadLabel } from './drum-pads';
import { Decoded, DecodeReason, Decoder, decodePoint, disposeParts, encodeRow, initPageBackend, loadParts, LoadedParts } from './engine';
import { browserStore, Favourite, loadFavourites, saveFavourites } from './favourites';
import { sampleFileName } from './filename';
import { UndoHistory } from './history';
import { buildKit, KitFormat, kitSamples, KitSound } from './kit';
import { fileTooLarge, mib, PlainError, plainDropError, READABLE_FORMATS } from './messages';
import { cardRows } from './model-card';
import { nearestPoint } from './nearest';
import { Pad, PadGesture } from './pad';
import { MAIN, Player } from './player';
import { DEFAULT_BPM, dragPlayOf, PADS, playsOnDecode, Sequencer } from './sequencer';
import { DEFAULT_SOUND, renderSound, sameSound, SoundSettings } from './sound';
import { buildSpace, coordinates, hasPrincipalDirections, LatentSpace, MAX_DIRECTIONS, nudge, randomPoint, SpaceMode, startPoint, withCoordinate } from './space';
import type { Mark } from './state';
import { parseShared, shareQuery } from './url-state';
import { drawWaveform } from './waveform';

/**
 * The audition page, for `sampgen audition` and for a static site (`sampgen site`; api.ts says which): the model
 * picker, the sound space (XY pad and sliders), the sound controls, the drum pads and their step sequencer,
 * dropped files with A/B against their reconstruction, the nearest training sample, favourites and kit export,
 * undo/redo and a shareable URL. State lives here; the other modules are small views and pure functions.
 */

/** An arrow key moves this fraction of the pad's range (Shift: ten times as far). */
const NUDGE = 0.01;

declare const __SAMPGEN_VERSION__: string;
const PAGE_VERSION = typeof __SAMPGEN_VERSION__ === 'string' ? __SAMPGEN_VERSION__ : 'dev';

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} is missing`);
  return el;
}

const els = {
  model: $('model') as HTMLSelectElement,
  status: $('status'),
  pad: $('pad') as HTMLCanvasElement,
  drop: $('drop'),
  padError: $('pad-error'),
  padErrorText: $('pad-error-text'),
  padErrorDetail: $('pad-error-detail'),
  padErrorClose: $('pad-error-close'),
  point: $('point'),
  hint: $('hint'),
  dropText: $('drop-text'),
  wave: $('wave') as HTMLCanvasElement,
  play: $('play') as HTMLButtonElement,
  loop: $('loop') as HTMLButtonElement,
  random: $('random') as HTMLButtonElement,
  undo: $('undo') as HTMLButtonElement,
  redo: $('redo') as HTMLButtonElement,
  volume: $('volume') as HTMLInputElement,
  dragPlay: $('drag-play') as HTMLSelectElement,
  star: $('star') as HTMLButtonElement,
  save: $('save') as HTMLButtonElement,
  share: $('share') as HTMLButtonElement,
  encode: $('encode') as HTMLButtonElement,
  file: $('file') as HTMLInputElement,
  gain: $('gain') as HTMLInputElement,
  gainValue: $('gain-value'),
  length: $('length') as HTMLInputElement,
  lengthValue: $('length-value'),
  normalise: $('normalise') as HTMLInputElement,
  sliders: $('sliders'),
  moreSliders: $('more-sliders') as HTMLDetailsElement,
  moreSlidersSummary: $('more-sliders-summary'),
  slidersMore: $('sliders-more'),
  spaceMode: $('space-mode') as HTMLSelectElement,
  directionsTitle: $('directions-title'),
  info: $('info'),
  marksCard: $('marks-card'),
  marks: $('marks'),
  conditionCard: $('condition-card'),
  condition: $('condition'),
  conditionReadout: $('condition-readout'),
  nearestCard: $('nearest-card'),
  nearest: $('nearest'),
  nearestGo: $('nearest-go') as HTMLButtonElement,
  nearestPlay: $('nearest-play') as HTMLButtonElement,
  favourites: $('favourites'),
  favouritesEmpty: $('favourites-empty'),
  kitFormat: $('kit-format') as HTMLSelectElement,
  kitNormalise: $('kit-normalise') as HTMLInputElement,
  exportKit: $('export-kit') as HTMLButtonElement,
  seqStart: $('seq-start') as HTMLButtonElement,
  bpm: $('bpm') as HTMLInputElement,
  swing: $('swing') as HTMLInputElement,
  swingValue: $('swing-value'),
  midi: $('midi') as HTMLButtonElement,
};

const source = pageSource(document);
const player = new Player();
// The random button draws from sampgen's seeded generator; the seed itself need not be reproducible (the
// point it gives is shown and names the saved file), so it comes from the browser's entropy.
const rng = new Rng(crypto.getRandomValues(new Uint32Array(1))[0]!);
const touch = window.matchMedia('(hover: none) and (pointer: coarse)').matches;

let listing: ModelListing = { models: [], broken: [], aliases: {}, max_upload_bytes: 0 };
let meta: ModelMeta | null = null;
let summary: ModelSummary | null = null;
let folder: string | null = null;
let parts: LoadedParts | null = null;
let space: LatentSpace | null = null;
let spaceMode: SpaceMode = 'auto';
let decoder: Decoder | null = null;
let point: number[] = [];
/** Why the current point was last set (a click is a press and a release at one point). */
let pointReason: DecodeReason | null = null;
let decoded: Decoded | null = null;
/** The current sound: the last decode with the sound controls applied (what Play, Save and the selected pad hold). */
let rendered: Float32Array | null = null;
/** A conditional model's controls (class, mix, velocity) and the vector they make; null for other models. */
let choice: ConditionChoice | null = null;
let condition: Float32Array | null = null;
let sound: SoundSettings = { ...DEFAULT_SOUND };
/** Dropped files: their point and condition, what the model saw (the preprocessed row) and what it made of it. */
let marks: (Mark & { choice: ConditionChoice | null; original: Float32Array; reconstruction: Float32Array; errorDb: number })[] = [];
/** Said in the status line when a dropped file's decode arrives, in place of the timing (how its class was chosen). */
let dropNote: string | null = null;
let training: TrainingSamples | null = null;
let nearest: { index: number; distance: number } | null = null;
let plays = 0;
let lastTrigger = 0;
let lastSaved: string | null = null;
let lastKit: { name: string; files: string[] } | null = null;
let lastError: string | null = null;
let backend = '';
let ready = false;
/** Bumped on every model switch, so that work started for the previous model is dropped when it finishes. */
let generation = 0;

// ---- pads ----------------------------------------------------------------------------------------------------------

interface PadSound {
  model: string;
  modelName: string;
  point: number[];
  choice: ConditionChoice | null;
  condition: number[] | null;
  sound: SoundSettings;
  /** The decode, and the sound the controls make of it. */
  raw: Float32Array;
  rendered: Float32Array;
  sampleRate: number;
  /** Made on first play (an AudioBuffer needs the AudioContext, which waits for a gesture). */
  buffer: AudioBuffer | null;
}

const pads: (PadSound | null)[] = Array<PadSound | null>(PADS).fill(null);
let selectedPad = 0;
const padHits: { pad: number; when: number }[] = [];

const sequencer = new Sequencer({
  now: () => player.now(),
  trigger: (pad, when) => triggerPad(pad, when),
  onStep: (step, when) => {
    const delay = Math.max(0, (when - player.now()) * 1000);
    window.setTimeout(() => padsView.showPlayhead(step), delay);
  },
});

const padsView = new DrumPadsView(
  $('pads'),
  $('grid'),
  (pad, assign) => void clickPad(pad, assign),
  (pad, step) => {
    sequencer.toggle(pad, step);
    padsView.showPattern(sequencer.pattern);
  },
);

function padBuffer(i: number): AudioBuffer | null {
  const p = pads[i];
  if (!p) return null;
  p.buffer ??= player.buffer(p.rendered, p.sampleRate);
  return p.buffer;
}

/** Plays pad `i` now, or at `when` on the audio clock (the sequencer); false when it is empty. */
function triggerPad(i: number, when?: number, level = 1): boolean {
  const buffer = padBuffer(i);
  if (!buffer) return false;
  player.playBuffer(buffer, `pad${i}`, when, level);
  padHits.push({ pad: i, when: when ?? player.now() });
  if (padHits.length > 256) padHits.shift();
  const delay = when === undefined ? 0 : Math.max(0, (when - player.now()) * 1000);
  window.setTimeout(() => padsView.flash(i), delay);
  return true;
}

/** A pad's name: what tells its sound from the others' (the class, else the point), and its model when not the current one. */
function padLabel(p: PadSound | null): PadLabel {
  if (!p) return { title: null, detail: '' };
  const what = p.choice?.classA ?? `${p.point.slice(0, 2).map((x) => fmt(x, 2)).join(', ')}${p.point.length > 2 ? ', …' : ''}`;
  const level = p.sound.gainDb !== 0 ? ` ${p.sound.gainDb > 0 ? '+' : '−'}${Math.abs(p.sound.gainDb)} dB` : '';
  return { title: `${p.model === folder ? '' : `${p.modelName}: `}${what}${level}`, detail: `${p.modelName}, ${describePoint(p.point)}` };
}

function showPads(): void {
  padsView.showPads(pads.map(padLabel), selectedPad);
}

/** The current sound onto pad `i` (the selected pad follows every edit through this). */
function putOnPad(i: number): void {
  if (!decoded || !rendered || !meta || !folder) return;
  pads[i] = {
    model: folder,
    modelName: meta.name,
    point: [...decoded.point],
    choice: choice ? { ...choice } : null,
    condition: decoded.condition ? [...decoded.condition] : null,
    sound: { ...sound },
    raw: decoded.samples,
    rendered,
    sampleRate: meta.sample_rate,
    buffer: null,
  };
  showPads();
}

async function clickPad(i: number, assign: boolean): Promise<void> {
  player.ensure();
  const p = pads[i];
  if (assign || !p) {
    // An empty pad (or Shift+click) takes the current sound and becomes the one that follows.
    selectedPad = i;
    putOnPad(i);
    triggerPad(i);
    return;
  }
  selectedPad = i;
  showPads();
  triggerPad(i);
  await applyState({ model: p.model, point: p.point, choice: p.choice, sound: p.sound }, 'pad');
}

// ---- the page's state, for tests and the console --------------------------------------------------------------------

window.__sampgen = {
  get ready() { return ready; },
  get mode() { return source.mode; },
  get backend() { return backend; },
  get model() { return folder; },
  get point() { return [...point]; },
  get condition() { return condition ? Array.from(condition) : null; },
  get decodedPoint() { return decoded ? [...decoded.point] : null; },
  get decodedCondition() { return decoded?.condition ? [...decoded.condition] : null; },
  get sample() { return decoded ? decoded.samples : null; },
  get rendered() { return rendered; },
  get sound() { return { ...sound }; },
  get decodes() { return decoder?.decodes ?? 0; },
  get lastDecodeMs() { return decoded ? decoded.ms : null; },
  get droppedRequests() { return decoder?.dropped ?? 0; },
  get loop() { return player.looping; },
  get loopRepetitions() { return player.loopRepetitions; },
  get plays() { return plays; },
  get marks() { return marks.map((m) => ({ label: m.label, point: [...m.point], condition: m.condition ? [...m.condition] : null })); },
  get lastSaved() { return lastSaved; },
  get lastKit() { return lastKit; },
  get error() { return lastError; },
  get pads() { return pads.map((p) => (p ? { model: p.model, point: [...p.point], condition: p.condition, rendered: p.rendered, sampleRate: p.sampleRate } : null)); },
  get selectedPad() { return selectedPad; },
  get padHits() { return [...padHits]; },
  get sequencer() { return { running: sequencer.running, startedAt: sequencer.startedAt, bpm: sequencer.bpm, swing: sequencer.swing, pattern: sequencer.pattern.map((r) => [...r]), queued: sequencer.queued }; },
  get favourites() { return favourites.map((f) => ({ ...f })); },
  get nearest() { return nearest ? { ...nearest, name: training?.files[nearest.index]?.path ?? null } : null; },
  get directions() { return space?.directions.length ?? 0; },
  get canUndo() { return history.canUndo; },
  get canRedo() { return history.canRedo; },
};

// ---- messages --------------------------------------------------------------------------------------------------------

function setStatus(text: string): void {
  els.status.textContent = text;
  els.status.className = 'status';
}

/** Shows a problem next to the pad, in plain words, until it is dismissed or replaced. */
function showError(e: PlainError | string): void {
  const plain = typeof e === 'string' ? { text: e, detail: null } : e;
  lastError = plain.text;
  els.padErrorText.textContent = plain.text;
  els.padErrorDetail.textContent = plain.detail ? `Details: ${plain.detail}` : '';
  els.padErrorDetail.hidden = !plain.detail;
  els.padError.hidden = false;
}

els.padErrorClose.addEventListener('click', () => {
  els.padError.hidden = true;
});

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function fmt(x: number, digits = 3): string {
  const s = x.toFixed(digits);
  return s.startsWith('-') && Number(s) === 0 ? s.slice(1) : s;
}

function describePoint(p: readonly number[]): string {
  const shown = p.slice(0, 8).map((x) => fmt(x));
  return `z = (${shown.join(', ')}${p.length > 8 ? `, … ${p.length - 8} more` : ''})`;
}

// ---- the point -------------------------------------------------------------------------------------------------------

/** Moves the point: every view follows at once, the sound when its decode is ready. */
function setPoint(p: number[], reason: DecodeReason): void {
  if (!space || !decoder) return;
  // A release where the press was, with no drag between (a click): the press's decode is that sound, and it plays
  // when it arrives; the release only ends the gesture. Decoding it again played the sound twice whenever the
  // press's decode arrived before the button came up.
  const click = reason === 'release' && pointReason === 'press' && p.join() === point.join();
  point = p;
  pointReason = reason;
  const c = coordinates(space, p);
  els.pad.dataset.point = p.join(',');
  els.point.textContent = describePoint(p);
  pad.setCurrent(c.slice(0, 2));
  updateSliders(c);
  if (!click) decoder.request(p, condition, reason);
  if (isCommit(reason)) commit();
}

/** Moves that end a gesture: recorded for undo and written into the URL (drags only when let go). */
function isCommit(reason: DecodeReason): boolean {
  return reason !== 'press' && reason !== 'drag' && reason !== 'slider' && reason !== 'undo' && reason !== 'start' && reason !== 'share';
}

interface PageState {
  model: string;
  point: number[];
  choice: ConditionChoice | null;
  sound: SoundSettings;
}

const history = new UndoHistory<PageState>(
  (a, b) => a.model === b.model && a.point.join() === b.point.join() && JSON.stringify(a.choice) === JSON.stringify(b.choice) && sameSound(a.sound, b.sound),
);

function currentState(): PageState | null {
  if (!folder) return null;
  return { model: folder, point: [...point], choice: choice ? { ...choice } : null, sound: { ...sound } };
}

/** Records the state for undo and puts it in the address bar (replaceState: a move is not a page to go back to). */
function commit(): void {
  const s = currentState();
  if (!s) return;
  history.push(s);
  showUndo();
  const url = new URL(location.href);
  url.search = shareQuery(s.model, s.point, s.choice, s.sound, url.searchParams);
  history_replace(url);
}

function history_replace(url: URL): void {
  window.history.replaceState(null, '', url);
}

function showUndo(): void {
  els.undo.disabled = !history.canUndo;
  els.redo.disabled = !history.canRedo;
}

/** Brings a state back (undo, a pad, a favourite): the model if another, the condition, the sound, then the point. */
async function applyState(s: PageState, reason: DecodeReason): Promise<void> {
  if (s.model !== folder) {
    els.model.value = s.model;
    await selectModel(s.model, s);
    if (reason !== 'undo') commit();
    return;
  }
  if (meta?.condition && s.choice) {
    choice = { ...s.choice };
    condition = vectorOf(meta.condition, choice);
    conditionControls.update(choice);
  }
  setSound(s.sound, false);
  setPoint([...s.point], reason);
}

async function undoRedo(which: 'undo' | 'redo'): Promise<void> {
  const s = which === 'undo' ? history.undo() : history.redo();
  showUndo();
  if (!s) return;
  player.ensure();
  await applyState(s, 'undo');
  const url = new URL(location.href);
  url.search = shareQuery(s.model, s.point, s.choice, s.sound, url.searchParams);
  history_replace(url);
}

/**
 * Sets a conditional model's condition: the controls follow, and the current point is decoded again, by the same
 * path as a move on the pad (the latest request only, drags retriggering the sound throttled).
 */
function setChoice(c: ConditionChoice, reason: DecodeReason): void {
  if (!meta?.condition || !decoder) return;
  choice = c;
  condition = vectorOf(meta.condition, c);
  conditionControls.update(c);
  decoder.request(point, condition, reason);
  if (isCommit(reason)) commit();
}

const conditionControls = new ConditionControls(els.conditionCard, els.condition, els.conditionReadout, (c, edit) => {
  player.ensure();
  setChoice(c, edit);
});

// ---- decoding and playing --------------------------------------------------------------------------------------------

/** Applies the sound controls to the last decode; `edited`: a user's edit, which the selected pad follows. */
function renderCurrent(edited: boolean): void {
  if (!decoded || !meta) return;
  rendered = renderSound(decoded.samples, meta.sample_rate, sound);
  player.setSample(rendered, meta.sample_rate);
  drawWaveform(els.wave, rendered, meta.sample_rate);
  els.wave.dataset.samples = String(rendered.length);
  showStar();
  if (edited) putOnPad(selectedPad);
}

function onDecoded(d: Decoded): void {
  decoded = d;
  const edited = d.reason !== 'start' && d.reason !== 'share';
  renderCurrent(edited);
  els.save.disabled = false;
  if (d.reason === 'drop' && dropNote !== null) setStatus(dropNote);
  else setStatus(`${meta!.name} · decoded in ${d.ms.toFixed(1)} ms on ${backend}`);
  dropNote = null;
  updateNearest(d.point);
  if (!ready) {
    ready = true;
    document.body.dataset.ready = 'true';
  }
  if (!edited || d.reason === 'pad') return; // no sound before the user asks; a pad played itself when clicked
  if (player.looping) return; // the loop picks the new sound up at its next repetition
  // A drag retriggers at a musical rate at most (or not at all: on release only), never at the pointer's rate.
  const now = performance.now();
  const gesture = d.reason === 'drag' || d.reason === 'slider' ? 'drag' : d.reason === 'press' || d.reason === 'release' ? d.reason : 'other';
  if (!playsOnDecode(gesture, dragPlayOf(els.dragPlay.value), sequencer.bpm, now - lastTrigger)) return;
  lastTrigger = now;
  play();
}

function play(): void {
  player.play();
  plays++;
}

const pad = new Pad(els.pad, (coords: [number, number], gesture: PadGesture) => {
  if (!space) return;
  player.ensure();
  let p = withCoordinate(space, point, 0, coords[0]);
  if (space.directions.length > 1) p = withCoordinate(space, p, 1, coords[1]);
  setPoint(p, gesture);
});

// ---- sound controls ------------------------------------------------------------------------------------------------

function lengthMsOfSlider(): number | null {
  if (!meta) return null;
  const full = (1000 * meta.length) / meta.sample_rate;
  const v = Number(els.length.value);
  return v >= 1000 ? null : Math.max(5, Math.round(((v / 1000) * full) * 10) / 10);
}

function showSound(): void {
  els.gain.value = String(sound.gainDb);
  els.gainValue.textContent = `${sound.gainDb > 0 ? '+' : sound.gainDb < 0 ? '−' : ''}${Math.abs(sound.gainDb).toFixed(1)} dB`;
  els.normalise.checked = sound.normalise;
  const full = meta ? (1000 * meta.length) / meta.sample_rate : 1;
  if (document.activeElement !== els.length) els.length.value = String(sound.lengthMs === null ? 1000 : Math.round((1000 * sound.lengthMs) / full));
  els.lengthValue.textContent = sound.lengthMs === null ? 'full' : `${sound.lengthMs.toFixed(0)} ms`;
}

/** `edited`: a user's edit (re-renders the selected pad and is recorded); false when a state is brought back. */
function setSound(s: SoundSettings, edited: boolean): void {
  const changed = !sameSound(s, sound);
  sound = { ...s };
  showSound();
  if (changed) renderCurrent(edited);
}

els.gain.addEventListener('input', () => setSound({ ...sound, gainDb: Number(els.gain.value) }, true));
els.length.addEventListener('input', () => setSound({ ...sound, lengthMs: lengthMsOfSlider() }, true));
els.normalise.addEventListener('change', () => {
  setSound({ ...sound, normalise: els.normalise.checked }, true);
  commit();
});
for (const el of [els.gain, els.length]) {
  el.addEventListener('change', () => {
    player.ensure();
    play();
    commit();
  });
}

// ---- sliders -----------------------------------------------------------------------------------------------------------

let sliderInputs: HTMLInputElement[] = [];
let sliderValues: HTMLElement[] = [];

function buildSliders(s: LatentSpace, m: ModelMeta): void {
  els.sliders.replaceChildren();
  els.slidersMore.replaceChildren();
  sliderInputs = [];
  sliderValues = [];
  els.directionsTitle.textContent = s.kind === 'pca' ? 'Principal directions' : 'Latent axes';
  els.spaceMode.hidden = !hasPrincipalDirections(m);
  els.spaceMode.value = spaceMode;
  s.directions.forEach((d, k) => {
    const row = document.createElement('label');
    row.className = 'slider';
    const name = document.createElement('span');
    name.className = 'slider-name';
    name.textContent = d.label;
    if (d.explained !== undefined) name.title = `${(100 * d.explained).toFixed(0)}% of the training set's variance`;
    const input = document.createElement('input');
    input.type = 'range';
    input.min = String(d.min);
    input.max = String(d.max);
    input.step = String((d.max - d.min) / 1000);
    input.setAttribute('aria-label', `${d.label} coordinate`);
    const value = document.createElement('output');
    value.className = 'slider-value';
    input.addEventListener('input', () => {
      player.ensure();
      setPoint(withCoordinate(s, point, k, Number(input.value)), 'slider');
    });
    input.addEventListener('change', () => setPoint(withCoordinate(s, point, k, Number(input.value)), 'release'));
    row.append(name, input, value);
    (k < MAX_DIRECTIONS ? els.sliders : els.slidersMore).append(row);
    sliderInputs.push(input);
    sliderValues.push(value);
  });
  const more = s.directions.length - MAX_DIRECTIONS;
  els.moreSliders.hidden = more <= 0;
  els.moreSlidersSummary.textContent = `${more} more direction${more === 1 ? '' : 's'} (all ${s.latent} are reachable)`;
  if (s.kind === 'pca') {
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = `The pad shows ${s.directions[0]!.label} × ${s.directions[1]?.label ?? '—'} of the ${s.latent}-D latent space.`;
    els.sliders.append(note);
  }
}

function updateSliders(c: number[]): void {
  c.forEach((v, k) => {
    const input = sliderInputs[k];
    if (input && document.activeElement !== input) input.value = String(v);
    if (sliderValues[k]) sliderValues[k]!.textContent = fmt(v, 2);
  });
}

els.spaceMode.addEventListener('change', () => {
  if (!meta) return;
  spaceMode = els.spaceMode.value === 'axes' ? 'axes' : 'auto';
  showSpace(meta);
  setPoint(point, 'key');
});

/** The space of the sliders and the pad (all directions, so that every dimension is reachable). */
function showSpace(m: ModelMeta): void {
  space = buildSpace(m, m.latent, spaceMode);
  const s = space;
  pad.setSpace(s, (m.latent_points ?? []).map((p) => coordinates(s, p).slice(0, 2)));
  buildSliders(s, m);
  showMarks();
}

// ---- the model card --------------------------------------------------------------------------------------------------

function showInfo(m: ModelMeta, f: string, s: LatentSpace): void {
  const rows = cardRows(m, summary?.description ?? null);
  rows.unshift(['Name', m.name === f ? m.name : `${m.name} (${f})`]);
  if (s.kind === 'pca') {
    const i = rows.findIndex(([k]) => k === 'Latent');
    rows[i]![1] += `; the pad shows ${s.directions.slice(0, 2).map((d) => `${d.label} (${(100 * (d.explained ?? 0)).toFixed(0)}% of the variance)`).join(' × ')}`;
  }
  els.info.replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      return [dt, dd];
    }),
  );
}

// ---- the nearest training sample -----------------------------------------------------------------------------------

function updateNearest(p: readonly number[]): void {
  const points = meta?.latent_points ?? [];
  els.nearestCard.hidden = points.length === 0;
  nearest = points.length ? nearestPoint(points, p) : null;
  if (!nearest) return;
  const file = training?.files[nearest.index];
  const name = file ? `${file.path}${file.class && file.class !== 'unknown' ? ` (${file.class})` : ''}` : `training sample #${nearest.index + 1}`;
  els.nearest.textContent = `${name} · ${nearest.distance === 0 ? 'right here' : `distance ${fmt(nearest.distance)}`}`;
  els.nearestPlay.hidden = !training?.audio;
}

async function loadTraining(f: string, s: ModelSummary | null, mine: number): Promise<void> {
  training = null;
  if (!s?.training_samples) return;
  try {
    const t = await source.trainingSamples(f);
    if (mine !== generation) return;
    training = t;
    if (decoded) updateNearest(decoded.point);
  } catch (err) {
    if (mine === generation) setStatus(`training sample names unavailable: ${messageOf(err)}`);
  }
}

els.nearestGo.addEventListener('click', () => {
  const p = nearest && meta?.latent_points?.[nearest.index];
  if (!p) return;
  player.ensure();
  setPoint([...p], 'nearest');
});

els.nearestPlay.addEventListener('click', async () => {
  if (!nearest || !folder || !training?.audio) return;
  player.ensure();
  const index = nearest.index;
  try {
    const res = await fetch(source.trainingAudioUrl(folder, index));
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    const wav = decodeWav(new Uint8Array(await res.arrayBuffer()));
    player.playBuffer(player.buffer(wav.channels[0]!, wav.sampleRate), MAIN);
  } catch (err) {
    showError(`The training sample could not be played (${messageOf(err)}).`);
  }
});

// ---- marks (dropped files) and A/B -----------------------------------------------------------------------------------

function showMarks(): void {
  if (!space) return;
  const s = space;
  pad.setMarks(marks.map((m) => ({ label: m.label, coords: coordinates(s, m.point).slice(0, 2) })));
  els.marksCard.hidden = marks.length === 0;
  els.marks.replaceChildren(
    ...marks.map((m, i) => {
      const li = document.createElement('li');
      li.className = 'mark';
      const b = document.createElement('button');
      b.className = 'link';
      b.textContent = m.label;
      b.title = describePoint(m.point) + (m.choice ? ` · ${describeChoice(meta!.condition!, m.choice)}` : '');
      b.addEventListener('click', () => {
        player.ensure();
        if (m.choice) {
          // The point alone would decode the file's point as another class or level: its condition comes back too.
          choice = m.choice;
          condition = vectorOf(meta!.condition!, m.choice);
          conditionControls.update(m.choice);
        }
        setPoint([...m.point], 'mark');
      });
      const ab = document.createElement('span');
      ab.className = 'ab';
      const a = document.createElement('button');
      a.textContent = 'A';
      a.dataset.ab = `a${i}`;
      a.title = 'Play the file as the model sees it (resampled, aligned on its peak, cut to length)';
      a.addEventListener('click', () => playAB(m.original));
      const bb = document.createElement('button');
      bb.textContent = 'B';
      bb.dataset.ab = `b${i}`;
      bb.title = `Play the model's reconstruction of it; the difference between the two is ${Math.abs(m.errorDb).toFixed(1)} dB ${m.errorDb <= 0 ? 'below' : 'above'} the file's level`;
      bb.addEventListener('click', () => playAB(m.reconstruction));
      const err = document.createElement('span');
      err.className = 'mark-point';
      err.textContent = `error ${m.errorDb >= 0 ? '+' : '−'}${Math.abs(m.errorDb).toFixed(1)} dB`;
      ab.append(a, bb, err);
      li.append(b, ab);
      return li;
    }),
  );
}

function playAB(samples: Float32Array): void {
  if (!meta) return;
  player.playBuffer(player.buffer(samples, meta.sample_rate), MAIN);
  plays++;
}

/** Reconstruction error relative to the original, in dB: 10·log10(Σ(r − o)² / Σo²). */
function errorDb(original: Float32Array, reconstruction: Float32Array): number {
  let e = 0;
  let s = 0;
  for (let i = 0; i < original.length; i++) {
    const d = (reconstruction[i] ?? 0) - original[i]!;
    e += d * d;
    s += original[i]! * original[i]!;
  }
  return s > 0 ? 10 * Math.log10(e / s) : 0;
}

async function encodeFile(file: File): Promise<void> {
  if (!parts || !folder || !meta) return;
  if (!parts.encoder) {
    showError(`${meta.name} (${meta.model_type}) has no encoder, so it cannot place a dropped file.`);
    return;
  }
  if (listing.max_upload_bytes > 0 && file.size > listing.max_upload_bytes) {
    showError(fileTooLarge(file.name, file.size, listing.max_upload_bytes));
    return;
  }
  const mine = generation;
  const encoder = parts.encoder;
  const decoderModel = parts.decoder;
  const m = meta;
  setStatus(`reading ${file.name}…`);
  try {
    let pre;
    try {
      pre = await source.preprocess(folder, file, m);
    } catch (err) {
      if (mine === generation) showError(plainDropError(file.name, messageOf(err)));
      return;
    }
    if (mine !== generation) return;
    const { row, attackRmsDbfs } = pre;
    if (row.length !== m.length) throw new Error(`the preprocessed file has ${row.length} samples, the model takes ${m.length}`);
    // A conditional model encodes the file with its own class (from its name) and velocity (from its level), as
    // `sampgen encode` does, and the page then plays the point under that condition.
    const layout = m.condition;
    const fileCondition = layout && choice ? conditionOfDroppedFile(layout, choice, file.name, attackRmsDbfs) : null;
    const fileVector = layout && fileCondition ? vectorOf(layout, fileCondition.choice) : null;
    const z = await encodeRow(encoder, row, fileVector);
    const reconstruction = await decodePoint(decoderModel, z, fileVector);
    if (mine !== generation) return;
    marks.push({
      label: file.name,
      point: z,
      condition: fileVector ? Array.from(fileVector) : null,
      choice: fileCondition?.choice ?? null,
      original: row,
      reconstruction,
      errorDb: errorDb(row, reconstruction),
    });
    showMarks();
    if (layout && fileCondition) {
      choice = fileCondition.choice;
      condition = fileVector;
      conditionControls.update(fileCondition.choice);
    }
    if (fileCondition?.classFrom === 'selection') {
      const said = fileCondition.unknownClass ? `names ${fileCondition.unknownClass}, not one of this model's classes` : 'names no drum class';
      dropNote = `${file.name}: its name ${said}; encoded as ${fileCondition.choice.classA}, the selected class`;
    } else {
      dropNote = `${file.name} placed; A/B compares it with the model's reconstruction`;
    }
    els.padError.hidden = true;
    setPoint(z, 'drop');
  } catch (err) {
    if (mine === generation) showError(`“${file.name}” could not be placed: ${messageOf(err)}`);
  }
}

els.drop.addEventListener('dragenter', (e) => {
  e.preventDefault();
  els.drop.classList.add('dragging');
});
els.drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
});
els.drop.addEventListener('dragleave', (e) => {
  if (!els.drop.contains(e.relatedTarget as Node | null)) els.drop.classList.remove('dragging');
});
els.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  els.drop.classList.remove('dragging');
  const file = e.dataTransfer?.files[0];
  player.ensure();
  if (file) void encodeFile(file);
});
// A file dropped beside the pad would make the browser navigate away to it.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

// ---- transport -----------------------------------------------------------------------------------------------------

function setLoop(on: boolean): void {
  player.setLoop(on);
  els.loop.setAttribute('aria-pressed', String(player.looping));
  els.loop.classList.toggle('on', player.looping);
}

function randomize(): void {
  if (!meta) return;
  player.ensure();
  setPoint(randomPoint(meta, rng), 'random');
}

function kitFormat(): KitFormat {
  const v = els.kitFormat.value;
  return v === 'pcm16' || v === 'float32' ? v : 'pcm24';
}

function download(bytes: Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves the current sound in the kit's WAV format (16/24-bit or float, normalised when the kit is). */
function save(): void {
  if (!decoded || !meta || !rendered) return;
  const label = meta.condition && choice ? choiceLabel(meta.condition, choice) : undefined;
  const name = sampleFileName(meta.name, decoded.point, label);
  download(encodeWav(kitSamples(rendered, els.kitNormalise.checked), meta.sample_rate, kitFormat()), name, 'audio/wav');
  lastSaved = name;
  setStatus(`saved ${name}`);
}

async function copyLink(): Promise<void> {
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    setStatus('link copied: it opens this model, point and sound');
  } catch {
    // No clipboard here (an insecure origin, a refused permission): the address bar holds the same link.
    setStatus('copy the address bar: it holds the link to this model, point and sound');
  }
}

els.play.addEventListener('click', play);
els.loop.addEventListener('click', () => setLoop(!player.looping));
els.random.addEventListener('click', randomize);
els.undo.addEventListener('click', () => void undoRedo('undo'));
els.redo.addEventListener('click', () => void undoRedo('redo'));
els.save.addEventListener('click', save);
els.share.addEventListener('click', () => void copyLink());
els.encode.addEventListener('click', () => els.file.click());
els.file.addEventListener('change', () => {
  const file = els.file.files?.[0];
  if (file) void encodeFile(file);
  els.file.value = '';
});
els.volume.addEventListener('input', () => player.setVolume(Number(els.volume.value)));
player.setVolume(Number(els.volume.value));

// ---- sequencer and MIDI --------------------------------------------------------------------------------------------

function setRunning(on: boolean): void {
  player.ensure();
  if (on) sequencer.start();
  else sequencer.stop();
  els.seqStart.textContent = sequencer.running ? '■ Stop' : '▶ Start';
  els.seqStart.setAttribute('aria-pressed', String(sequencer.running));
  if (on && pads.every((p) => p === null)) setStatus('the pattern plays pads 1–3: put sounds on them (click an empty pad)');
}

els.seqStart.addEventListener('click', () => setRunning(!sequencer.running));
els.bpm.addEventListener('change', () => {
  sequencer.setBpm(Number(els.bpm.value) || DEFAULT_BPM);
  els.bpm.value = String(sequencer.bpm);
});
els.swing.addEventListener('input', () => {
  sequencer.setSwing(Number(els.swing.value));
  els.swingValue.textContent = `${sequencer.swing} %`;
});

function connectMidi(): void {
  const request = (navigator as Navigator & { requestMIDIAccess?: () => Promise<MIDIAccess> }).requestMIDIAccess;
  if (!request) return;
  request.call(navigator).then(
    (access) => {
      const listen = () => {
        let n = 0;
        access.inputs.forEach((input) => {
          n++;
          input.onmidimessage = (e) => {
            const [status, note, velocity] = e.data ?? [];
            if (status === undefined || note === undefined) return;
            // Note-on (0x9n) with a velocity; note-on with velocity 0 is a note-off.
            if ((status & 0xf0) === 0x90 && velocity) {
              const i = PAD_NOTES.indexOf(note);
              if (i >= 0) triggerPad(i, undefined, velocity / 127);
            }
          };
        });
        els.midi.classList.toggle('on', n > 0);
        setStatus(n > 0 ? `MIDI: ${n} input${n === 1 ? '' : 's'}; notes 36–43 play pads 1–8` : 'MIDI: no input connected yet');
      };
      access.onstatechange = listen;
      listen();
    },
    () => showError('The browser did not allow MIDI access; pads still play from clicks and keys 1–8.'),
  );
}

els.midi.hidden = !('requestMIDIAccess' in navigator);
els.midi.addEventListener('click', connectMidi);

// ---- favourites and the kit ------------------------------------------------------------------------------------------

const store = browserStore();
let favourites: Favourite[] = [];
{
  const loaded = loadFavourites(store);
  favourites = loaded.list;
  if (loaded.problem) setStatus(loaded.problem);
}

function favouriteLabel(f: Favourite): string {
  const cond = f.choice?.classA ? ` · ${f.choice.classA}${f.choice.velocity !== null ? ` v${f.choice.velocity.toFixed(2)}` : ''}` : '';
  return `${f.modelName}${cond} · ${describePoint(f.point).slice(4)}`;
}

/** The star is filled when the current sound is a favourite. */
function showStar(): void {
  els.star.textContent = favourites.some((f) => isCurrent(f)) ? '★ Favourite' : '☆ Favourite';
}

function showFavourites(): void {
  els.favouritesEmpty.hidden = favourites.length > 0;
  els.exportKit.disabled = favourites.length === 0;
  showStar();
  els.favourites.replaceChildren(
    ...favourites.map((f) => {
      const li = document.createElement('li');
      li.className = 'favourite';
      const b = document.createElement('button');
      b.className = 'link';
      b.textContent = favouriteLabel(f);
      b.title = 'Bring this sound back';
      b.addEventListener('click', () => {
        player.ensure();
        void applyState({ model: f.model, point: f.point, choice: f.choice, sound: f.sound }, 'favourite');
      });
      const x = document.createElement('button');
      x.className = 'link remove';
      x.textContent = '×';
      x.setAttribute('aria-label', `Remove ${favouriteLabel(f)} from the favourites`);
      x.addEventListener('click', () => {
        favourites = favourites.filter((g) => g.id !== f.id);
        storeFavourites();
      });
      li.append(b, x);
      return li;
    }),
  );
}

function isCurrent(f: Favourite): boolean {
  return f.model === folder && f.point.join() === point.join() && JSON.stringify(f.choice) === JSON.stringify(choice) && sameSound(f.sound, sound);
}

function storeFavourites(): void {
  const problem = saveFavourites(store, favourites);
  if (problem) showError(problem);
  showFavourites();
}

function star(): void {
  if (!folder || !meta || !decoded) return;
  const existing = favourites.find(isCurrent);
  if (existing) {
    favourites = favourites.filter((f) => f !== existing);
  } else {
    const id = `${Date.now().toString(36)}-${Math.floor(rng.uniform(0, 2 ** 32)).toString(36)}`;
    favourites.push({ id, model: folder, modelName: meta.name, point: [...point], choice: choice ? { ...choice } : null, sound: { ...sound }, added: new Date().toISOString() });
    setStatus(`${favourites.length} favourite${favourites.length === 1 ? '' : 's'}; Export kit downloads them as WAV files`);
  }
  storeFavourites();
}

/** Every favourite decoded by its own model (loaded for the export when it is not the current one) and written into a zip. */
async function exportKit(): Promise<void> {
  if (favourites.length === 0) return;
  els.exportKit.disabled = true;
  setStatus(`rendering ${favourites.length} sound${favourites.length === 1 ? '' : 's'}…`);
  const sounds: KitSound[] = [];
  const missing: string[] = [];
  try {
    const byModel = new Map<string, Favourite[]>();
    for (const f of favourites) byModel.set(f.model, [...(byModel.get(f.model) ?? []), f]);
    for (const [f, list] of byModel) {
      const target = resolveModel(f);
      if (!target) {
        missing.push(...list.map(favouriteLabel));
        continue;
      }
      const own = target === folder && parts && meta;
      const m = own ? meta! : await source.fetchMeta(target);
      const loaded = own ? parts! : await loadParts(target, m.parts, source.partUrl);
      try {
        for (const fav of list) {
          const vector = m.condition && fav.choice ? vectorOf(m.condition, fav.choice) : null;
          if (fav.point.length !== m.latent) {
            missing.push(`${favouriteLabel(fav)} (its point has ${fav.point.length} coordinates, the model now ${m.latent})`);
            continue;
          }
          const samples = renderSound(await decodePoint(loaded.decoder, fav.point, vector), m.sample_rate, fav.sound);
          const label = m.condition && fav.choice ? choiceLabel(m.condition, fav.choice) : undefined;
          sounds.push({
            name: sampleFileName(m.name, fav.point, label),
            samples,
            sampleRate: m.sample_rate,
            about: {
              model: { folder: target, name: m.name, model_type: m.model_type, sampgen_version: m.sampgen_version, tfjs_version: m.tfjs_version, created: m.created, config_hash: m.config_hash, ...(m.run ? { run: m.run.folder, weights: m.run.weights, epoch: m.run.epoch } : {}) },
              point: fav.point,
              condition: m.condition && fav.choice ? { asked: describeChoice(m.condition, fav.choice), vector: vector ? Array.from(vector) : null } : null,
              sound: fav.sound,
            },
          });
        }
      } finally {
        if (!own) disposeParts(loaded);
      }
    }
    if (sounds.length === 0) throw new Error('none of the favourites has a model on this site');
    const created = new Date().toISOString();
    const { zip, manifest } = buildKit(sounds, { format: kitFormat(), normalise: els.kitNormalise.checked }, { created, page: `sampgen ${PAGE_VERSION} (${source.mode === 'site' ? 'static site' : 'audition'})` });
    const name = `sampgen-kit-${created.slice(0, 19).replace(/[:T]/g, '-')}.zip`;
    download(zip, name, 'application/zip');
    lastKit = { name, files: (manifest.sounds as { file: string }[]).map((s) => s.file) };
    setStatus(`kit saved: ${name}, ${sounds.length} WAV file${sounds.length === 1 ? '' : 's'} (${mib(zip.byteLength)})`);
    if (missing.length) showError(`Left out of the kit (their model is not on this site): ${missing.join('; ')}.`);
  } catch (err) {
    showError(`The kit could not be made: ${messageOf(err)}.`);
  } finally {
    els.exportKit.disabled = favourites.length === 0;
  }
}

/** A model folder (or an alias of one) that this site or server lists, or null. */
function resolveModel(name: string): string | null {
  const target = listing.aliases?.[name] ?? name;
  return listing.models.some((m) => m.folder === target) ? target : null;
}

els.star.addEventListener('click', star);
els.exportKit.addEventListener('click', () => void exportKit());

// ---- keys ----------------------------------------------------------------------------------------------------------

window.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement | null;
  const tag = target?.tagName;
  // Text fields and the pickers keep their own keys; range inputs keep their arrows.
  if (tag === 'SELECT' || tag === 'TEXTAREA' || (tag === 'INPUT' && (target as HTMLInputElement).type !== 'range' && (target as HTMLInputElement).type !== 'checkbox')) return;
  if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'z' || e.key === 'Z' || e.key === 'y' || e.key === 'Y')) {
    e.preventDefault();
    void undoRedo(e.key.toLowerCase() === 'y' || e.shiftKey ? 'redo' : 'undo');
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === ' ') {
    e.preventDefault(); // no page scroll, no "click" of a focused button
    if (!e.repeat) play();
    return;
  }
  const padKey = PAD_KEYS.indexOf(e.code);
  if (padKey >= 0 && !e.repeat) {
    player.ensure();
    triggerPad(padKey);
    return;
  }
  if (tag === 'INPUT') return;
  const arrows: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
  const step = arrows[e.key];
  if (step && space) {
    e.preventDefault();
    player.ensure();
    const k = e.shiftKey ? 10 : 1;
    setPoint(nudge(space, point, step[0] * k, step[1] * k, NUDGE), 'key');
  } else if (e.key === 'l' || e.key === 'L') {
    setLoop(!player.looping);
  } else if (e.key === 'r' || e.key === 'R') {
    randomize();
  } else if (e.key === 's' || e.key === 'S') {
    setRunning(!sequencer.running);
  } else if (e.key === 'f' || e.key === 'F') {
    star();
  }
});
// Space already played on key-down; Firefox would still activate a focused button on key-up.
window.addEventListener('keyup', (e) => {
  if (e.key === ' ' && (e.target as HTMLElement | null)?.tagName === 'BUTTON') e.preventDefault();
});

// ---- models ------------------------------------------------------------------------------------------------------

/**
 * Loads a model; `wanted` (a link, a pad, a favourite, an undo) says where to land instead of its start point. What
 * of `wanted` does not fit the model (another latent size, a class it does not have) is said, and left at its default.
 */
async function selectModel(f: string, wanted: Partial<PageState> & { problems?: string[] } = {}): Promise<void> {
  const mine = ++generation;
  ready = false;
  document.body.dataset.ready = 'false';
  setStatus(`loading ${f}…`);
  decoder?.dispose();
  decoder = null;
  const old = parts;
  parts = null;
  setLoop(false);
  decoded = null;
  rendered = null;
  els.save.disabled = true;
  try {
    const m = await source.fetchMeta(f);
    const loaded = await loadParts(f, m.parts, source.partUrl);
    if (mine !== generation) {
      disposeParts(loaded);
      return;
    }
    disposeParts(old as LoadedParts | null);
    meta = m;
    folder = f;
    summary = listing.models.find((s) => s.folder === f) ?? null;
    parts = loaded;
    if (!hasPrincipalDirections(m)) spaceMode = 'auto';
    marks = [];
    showSpace(m);
    showInfo(m, f, space!);
    const problems = [...(wanted.problems ?? [])];
    choice = m.condition ? initialChoice(m.condition) : null;
    if (m.condition && choice && wanted.choice) choice = mergeChoice(m, choice, wanted.choice, problems);
    condition = m.condition && choice ? vectorOf(m.condition, choice) : null;
    conditionControls.show(m.condition ?? null, choice);
    if (wanted.sound) setSound(wanted.sound, false);
    showSound();
    els.encode.disabled = !loaded.encoder;
    els.drop.classList.toggle('no-encoder', !loaded.encoder);
    els.hint.textContent = !loaded.encoder
      ? `A ${m.model_type} has no encoder: audio files cannot be placed`
      : touch
        ? 'Tap “Encode a file…” to place a sample of yours'
        : m.condition?.classes
          ? 'Drop an audio file onto the pad to find its point: its class from its name (Kick-01.wav), else the selected class'
          : `Drop a ${READABLE_FORMATS.replace('Ogg Vorbis', 'Ogg')} file onto the pad to find its point`;
    els.dropText.textContent = loaded.encoder ? 'Drop to find its point' : 'This model has no encoder';
    decoder = new Decoder(loaded.decoder, m.latent, onDecoded, (err) => showError(`The model could not make this sound: ${messageOf(err)}.`));
    document.title = `${m.name} · sampgen`;
    void loadTraining(f, summary, mine);
    let start = startPoint(space!, m);
    if (wanted.point) {
      if (wanted.point.length === m.latent) start = [...wanted.point];
      else problems.push(`the link's point has ${wanted.point.length} coordinates, but ${m.name} has ${m.latent}; starting from its middle`);
    }
    if (problems.length) showError(`${problems.join('. ')}.`.replace(/^./, (c) => c.toUpperCase()));
    history.push({ model: f, point: [...start], choice: choice ? { ...choice } : null, sound: { ...sound } });
    showUndo();
    const url = new URL(location.href);
    url.search = wanted.point || wanted.choice ? shareQuery(f, start, choice, sound, url.searchParams) : withModel(url.searchParams, f);
    history_replace(url);
    setPoint(start, wanted.point ? 'share' : 'start');
    showFavourites();
    showPads();
  } catch (err) {
    if (mine === generation) showError(`The model ${f} could not be loaded: ${messageOf(err)}.`);
  }
}

function withModel(q: URLSearchParams, f: string): string {
  const out = new URLSearchParams(q);
  for (const key of ['z', 'class', 'mix', 'blend', 'v', 'gain', 'norm', 'len']) out.delete(key);
  out.set('model', f);
  return out.toString();
}

/** A link's (or a pad's) condition on this model's controls; classes the model does not have are said and skipped. */
function mergeChoice(m: ModelMeta, base: ConditionChoice, asked: Partial<ConditionChoice>, problems: string[]): ConditionChoice {
  const out = { ...base };
  const classes = m.condition?.classes ?? [];
  for (const key of ['classA', 'classB'] as const) {
    const c = asked[key];
    if (c === undefined || c === null) continue;
    if (classes.includes(c)) out[key] = c;
    else problems.push(`${m.name} has no class “${c}” (it has ${classes.join(', ') || 'none'})`);
  }
  if (asked.blend !== undefined) out.blend = Math.min(1, Math.max(0, asked.blend));
  if (asked.velocity !== undefined && asked.velocity !== null && m.condition?.velocity) out.velocity = asked.velocity;
  return out;
}

els.model.addEventListener('change', () => {
  player.ensure();
  void selectModel(els.model.value).then(() => commit());
});
window.addEventListener('resize', () => drawWaveform(els.wave, rendered, meta?.sample_rate ?? 1));

async function init(): Promise<void> {
  document.body.classList.toggle('touch', touch);
  document.body.dataset.mode = source.mode;
  const params = new URLSearchParams(location.search);
  backend = await initPageBackend(params.get('backend'));
  drawWaveform(els.wave, null, 1);
  padsView.showPattern(sequencer.pattern);
  showPads();
  showSound();
  showFavourites();
  listing = await source.listModels();
  els.model.replaceChildren(
    ...listing.models.map((m) => {
      const o = document.createElement('option');
      o.value = m.folder;
      o.textContent = `${m.name} — ${m.model_type}${m.condition ? ' (conditional)' : ''}, ${m.latent}-D, ${(m.sample_rate / 1000).toFixed(1)} kHz`;
      return o;
    }),
  );
  for (const b of listing.broken) console.warn(`sampgen: skipping ${b.folder}: ${b.error}`);
  if (listing.models.length === 0) {
    const broken = listing.broken.length ? ` (${listing.broken.length} folder(s) could not be read)` : '';
    showError(source.mode === 'site' ? `This site holds no models${broken}.` : `There are no exported models in the --models folder yet${broken}: export one and reload.`);
    return;
  }
  const { state, problems } = parseShared(params);
  let first = listing.models[0]!.folder;
  if (state.model !== null) {
    const found = resolveModel(state.model);
    if (found) first = found;
    else {
      const names = listing.models.map((m) => m.folder).join(', ');
      problems.unshift(`there is no model “${state.model}” here (${listing.models.length === 1 ? 'the one model is' : 'the models are'} ${names}); showing ${first} instead`);
      state.point = null;
      state.choice = {};
    }
  }
  els.model.value = first;
  const hasChoice = Object.keys(state.choice).length > 0;
  await selectModel(first, { point: state.point ?? undefined, choice: hasChoice ? (state.choice as ConditionChoice) : undefined, sound: state.sound, problems });
}

window.addEventListener('unhandledrejection', (e) => showError(String(e.reason?.message ?? e.reason)));
init().catch((err: unknown) => showError(`The page could not start: ${messageOf(err)}.`));
