import type * as tf from '@tensorflow/tfjs';
import { encodeWav } from '../../audio/encode';
import { describeCondition } from '../../models/condition';
import { Rng } from '../../util/rng';
import { fetchMeta, fetchModels, ModelListing, ModelMeta, preprocessFile } from './api';
import { ConditionControls } from './condition-controls';
import { choiceLabel, ConditionChoice, conditionOfDroppedFile, describeChoice, initialChoice, vectorOf } from './conditioning';
import { Decoded, DecodeReason, Decoder, encodeRow, initPageBackend, loadParts, LoadedParts } from './engine';
import { sampleFileName } from './filename';
import { Pad, PadGesture } from './pad';
import { Player } from './player';
import { buildSpace, coordinates, LatentSpace, nudge, randomPoint, startPoint, withCoordinate } from './space';
import type { AuditionState, Mark } from './state';
import { drawWaveform } from './waveform';

/**
 * The audition page: wires the model picker, the pad, the sliders, the transport and the drop zone to the
 * decoder and the player. State lives here; the other modules are small views and engines.
 */

/** Drags retrigger a one-shot at most this often; presses, releases and keys always do. */
const DRAG_RETRIGGER_MS = 90;
/** An arrow key moves this fraction of the pad's range (Shift: ten times as far). */
const NUDGE = 0.01;

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
  point: $('point'),
  hint: $('hint'),
  dropText: $('drop-text'),
  wave: $('wave') as HTMLCanvasElement,
  play: $('play') as HTMLButtonElement,
  loop: $('loop') as HTMLButtonElement,
  random: $('random') as HTMLButtonElement,
  volume: $('volume') as HTMLInputElement,
  save: $('save') as HTMLButtonElement,
  encode: $('encode') as HTMLButtonElement,
  file: $('file') as HTMLInputElement,
  sliders: $('sliders'),
  directionsTitle: $('directions-title'),
  info: $('info'),
  marksCard: $('marks-card'),
  marks: $('marks'),
  conditionCard: $('condition-card'),
  condition: $('condition'),
  conditionReadout: $('condition-readout'),
};

const player = new Player();
// The random button draws from sampgen's seeded generator; the seed itself need not be reproducible (the
// point it gives is shown and names the saved file), so it comes from the browser's entropy.
const rng = new Rng(crypto.getRandomValues(new Uint32Array(1))[0]!);

let listing: ModelListing = { models: [], broken: [], max_upload_bytes: 0 };
let meta: ModelMeta | null = null;
let folder: string | null = null;
let parts: LoadedParts | null = null;
let space: LatentSpace | null = null;
let decoder: Decoder | null = null;
let point: number[] = [];
let decoded: Decoded | null = null;
/** A conditional model's controls (class, mix, velocity) and the vector they make; null for other models. */
let choice: ConditionChoice | null = null;
let condition: Float32Array | null = null;
/** Dropped files, with the choice each was encoded with, which clicking the mark brings back with its point. */
let marks: (Mark & { choice: ConditionChoice | null })[] = [];
/** Said in the status line when a dropped file's decode arrives, in place of the timing (how its class was chosen). */
let dropNote: string | null = null;
let plays = 0;
let lastTrigger = 0;
let lastSaved: string | null = null;
let lastError: string | null = null;
let backend = '';
let ready = false;
/** Bumped on every model switch, so that work started for the previous model is dropped when it finishes. */
let generation = 0;

window.__sampgen = {
  get ready() { return ready; },
  get backend() { return backend; },
  get model() { return folder; },
  get point() { return [...point]; },
  get condition() { return condition ? Array.from(condition) : null; },
  get decodedPoint() { return decoded ? [...decoded.point] : null; },
  get decodedCondition() { return decoded?.condition ? [...decoded.condition] : null; },
  get sample() { return decoded ? decoded.samples : null; },
  get decodes() { return decoder?.decodes ?? 0; },
  get lastDecodeMs() { return decoded ? decoded.ms : null; },
  get droppedRequests() { return decoder?.dropped ?? 0; },
  get loop() { return player.looping; },
  get loopRepetitions() { return player.loopRepetitions; },
  get plays() { return plays; },
  get marks() { return marks.map((m) => ({ label: m.label, point: [...m.point], condition: m.condition ? [...m.condition] : null })); },
  get lastSaved() { return lastSaved; },
  get error() { return lastError; },
};

function setStatus(text: string, kind: 'info' | 'error' = 'info'): void {
  els.status.textContent = text;
  els.status.className = `status ${kind}`;
  if (kind === 'error') lastError = text;
}

function fmt(x: number, digits = 3): string {
  const s = x.toFixed(digits);
  return s.startsWith('-') && Number(s) === 0 ? s.slice(1) : s;
}

function describePoint(p: readonly number[]): string {
  const shown = p.slice(0, 8).map((x) => fmt(x));
  return `z = (${shown.join(', ')}${p.length > 8 ? `, … ${p.length - 8} more` : ''})`;
}

// ---- the point -------------------------------------------------------------------------------------------

/** Moves the point: every view follows at once, the sound when its decode is ready. */
function setPoint(p: number[], reason: DecodeReason): void {
  if (!space || !decoder) return;
  point = p;
  const c = coordinates(space, p);
  els.pad.dataset.point = p.join(',');
  els.point.textContent = describePoint(p);
  updatePad(c);
  updateSliders(c);
  decoder.request(p, condition, reason);
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
}

const conditionControls = new ConditionControls(els.conditionCard, els.condition, els.conditionReadout, (c, edit) => {
  player.ensure();
  setChoice(c, edit);
});

function updatePad(c: number[]): void {
  pad.setCurrent(c.slice(0, 2));
}

function onDecoded(d: Decoded): void {
  decoded = d;
  player.setSample(d.samples, meta!.sample_rate);
  drawWaveform(els.wave, d.samples, meta!.sample_rate);
  els.save.disabled = false;
  els.wave.dataset.samples = String(d.samples.length);
  if (d.reason === 'drop' && dropNote !== null) setStatus(dropNote);
  else setStatus(`${meta!.name} · decoded in ${d.ms.toFixed(1)} ms on ${backend}`);
  dropNote = null;
  if (!ready) {
    ready = true;
    document.body.dataset.ready = 'true';
  }
  if (d.reason === 'start') return; // no sound before the user asks for it
  if (player.looping) return; // the loop picks the new sample up at its next repetition
  const now = performance.now();
  if ((d.reason === 'drag' || d.reason === 'slider') && now - lastTrigger < DRAG_RETRIGGER_MS) return;
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

// ---- sliders -----------------------------------------------------------------------------------------------

let sliderInputs: HTMLInputElement[] = [];
let sliderValues: HTMLElement[] = [];

function buildSliders(s: LatentSpace): void {
  els.sliders.replaceChildren();
  sliderInputs = [];
  sliderValues = [];
  els.directionsTitle.textContent = s.kind === 'pca' ? 'Principal directions' : 'Latent axes';
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
    els.sliders.append(row);
    sliderInputs.push(input);
    sliderValues.push(value);
  });
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

// ---- model info ----------------------------------------------------------------------------------------------

function showInfo(m: ModelMeta, f: string, s: LatentSpace): void {
  const rows: [string, string][] = [];
  rows.push(['Name', m.name === f ? m.name : `${m.name} (${f}/)`]);
  rows.push(['Type', m.model_type + (m.latent_prior ? ` · ${m.latent_prior} prior` : '')]);
  const pcs = s.kind === 'pca' ? ` · pad: ${s.directions.slice(0, 2).map((d) => `${d.label} ${(100 * (d.explained ?? 0)).toFixed(0)}%`).join(', ')}` : '';
  rows.push(['Latent', `${m.latent}-D${pcs}`]);
  rows.push(['Sample', `${m.length} samples · ${((1000 * m.length) / m.sample_rate).toFixed(0)} ms at ${m.sample_rate} Hz`]);
  const losses = Object.entries(m.losses)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k} ${Number((v as number).toPrecision(3))}`)
    .join(' · ');
  rows.push(['Training', `${m.epochs} epoch${m.epochs === 1 ? '' : 's'}${losses ? ` · ${losses}` : ''}`]);
  const model = m.config?.model;
  if (model && typeof model === 'object') {
    const cfg = Object.entries(model as Record<string, unknown>)
      .filter(([k, v]) => k !== 'type' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(' · ');
    if (cfg) rows.push(['Config', cfg]);
  }
  if (m.condition) rows.push(['Condition', describeCondition(m.condition).replace(/^conditioned on /, '')]);
  rows.push(['Points', m.latent_points?.length ? `${m.latent_points.length} training samples shown` : 'none in this export']);
  rows.push(['Exported', `${m.created.slice(0, 10)} · sampgen ${m.sampgen_version} · tfjs ${m.tfjs_version}`]);
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

// ---- marks (dropped files) -----------------------------------------------------------------------------------

function showMarks(): void {
  if (!space) return;
  const s = space;
  pad.setMarks(marks.map((m) => ({ label: m.label, coords: coordinates(s, m.point).slice(0, 2) })));
  els.marksCard.hidden = marks.length === 0;
  els.marks.replaceChildren(
    ...marks.map((m) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.className = 'link';
      b.textContent = m.label;
      b.title = describePoint(m.point);
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
      if (m.choice) b.title += ` · ${describeChoice(meta!.condition!, m.choice)}`;
      const z = document.createElement('span');
      z.className = 'mark-point';
      z.textContent = describePoint(m.point).slice(4);
      li.append(b, z);
      return li;
    }),
  );
}

async function encodeFile(file: File): Promise<void> {
  if (!parts || !folder || !meta) return;
  if (!parts.encoder) {
    setStatus(`${meta.name} (${meta.model_type}) has no encoder: it cannot place a sample in its latent space`, 'error');
    return;
  }
  if (listing.max_upload_bytes > 0 && file.size > listing.max_upload_bytes) {
    // In MiB, the unit the server's limit is set in (20 MiB would read as "21 MB").
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1).replace(/\.0$/, '');
    setStatus(`${file.name} is ${mib(file.size)} MiB; the upload limit is ${mib(listing.max_upload_bytes)} MiB`, 'error');
    return;
  }
  const mine = generation;
  const encoder = parts.encoder;
  setStatus(`encoding ${file.name}…`);
  try {
    const { row, attackRmsDbfs } = await preprocessFile(folder, file);
    if (mine !== generation) return;
    if (row.length !== meta.length) throw new Error(`the server's row has ${row.length} samples, the model takes ${meta.length}`);
    // A conditional model encodes the file with its own class (from its name) and velocity (from its level), as
    // `sampgen encode` does, and the page then plays the point under that condition.
    const layout = meta.condition;
    const fileCondition = layout && choice ? conditionOfDroppedFile(layout, choice, file.name, attackRmsDbfs) : null;
    const fileVector = layout && fileCondition ? vectorOf(layout, fileCondition.choice) : null;
    const z = await encodeRow(encoder, row, fileVector);
    if (mine !== generation) return;
    marks.push({ label: file.name, point: z, condition: fileVector ? Array.from(fileVector) : null, choice: fileCondition?.choice ?? null });
    showMarks();
    if (layout && fileCondition) {
      choice = fileCondition.choice;
      condition = fileVector;
      conditionControls.update(fileCondition.choice);
    }
    if (fileCondition?.classFrom === 'selection') {
      const said = fileCondition.unknownClass ? `names ${fileCondition.unknownClass}, not one of this model's classes` : 'names no drum class';
      dropNote = `${file.name}: its name ${said}; encoded as ${fileCondition.choice.classA}, the selected class`;
    }
    setPoint(z, 'drop');
  } catch (err) {
    if (mine === generation) setStatus(`${file.name}: ${err instanceof Error ? err.message : String(err)}`, 'error');
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

// ---- transport ---------------------------------------------------------------------------------------------------

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

function save(): void {
  if (!decoded || !meta) return;
  const label = meta.condition && choice ? choiceLabel(meta.condition, choice) : undefined;
  const name = sampleFileName(meta.name, decoded.point, label);
  const bytes = encodeWav(decoded.samples, meta.sample_rate, 'float32');
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  lastSaved = name;
  setStatus(`saved ${name}`);
}

els.play.addEventListener('click', play);
els.loop.addEventListener('click', () => setLoop(!player.looping));
els.random.addEventListener('click', randomize);
els.save.addEventListener('click', save);
els.encode.addEventListener('click', () => els.file.click());
els.file.addEventListener('change', () => {
  const file = els.file.files?.[0];
  if (file) void encodeFile(file);
  els.file.value = '';
});
els.volume.addEventListener('input', () => player.setVolume(Number(els.volume.value)));
player.setVolume(Number(els.volume.value));

window.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement | null;
  const tag = target?.tagName;
  // Text fields and the picker keep their own keys; range inputs keep their arrows.
  if (tag === 'SELECT' || tag === 'TEXTAREA' || (tag === 'INPUT' && (target as HTMLInputElement).type !== 'range')) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === ' ') {
    e.preventDefault(); // no page scroll, no "click" of a focused button
    if (!e.repeat) play();
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
  }
});
// Space already played on key-down; Firefox would still activate a focused button on key-up.
window.addEventListener('keyup', (e) => {
  if (e.key === ' ' && (e.target as HTMLElement | null)?.tagName === 'BUTTON') e.preventDefault();
});

// ---- models ------------------------------------------------------------------------------------------------------

async function selectModel(f: string): Promise<void> {
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
  els.save.disabled = true;
  try {
    const m = await fetchMeta(f);
    const loaded = await loadParts(f, m.parts);
    if (mine !== generation) {
      disposeParts(loaded);
      return;
    }
    disposeParts(old);
    meta = m;
    folder = f;
    parts = loaded;
    space = buildSpace(m);
    const s = space;
    pad.setSpace(s, (m.latent_points ?? []).map((p) => coordinates(s, p).slice(0, 2)));
    buildSliders(s);
    showInfo(m, f, s);
    marks = [];
    showMarks();
    choice = m.condition ? initialChoice(m.condition) : null;
    condition = m.condition && choice ? vectorOf(m.condition, choice) : null;
    conditionControls.show(m.condition ?? null, choice);
    els.encode.disabled = !loaded.encoder;
    els.drop.classList.toggle('no-encoder', !loaded.encoder);
    els.hint.textContent = !loaded.encoder
      ? `A ${m.model_type} has no encoder: dropped files cannot be placed`
      : m.condition?.classes
        ? "Drop an audio file onto the pad to find its point: its class from its name (Kick-01.wav), else the selected class"
        : 'Drop a WAV, FLAC, AIFF, MP3, Ogg or Opus file onto the pad to find its point';
    els.dropText.textContent = loaded.encoder ? 'Drop to find its point' : 'This model has no encoder';
    decoder = new Decoder(loaded.decoder, m.latent, onDecoded, (err) =>
      setStatus(`decoding failed: ${err instanceof Error ? err.message : String(err)}`, 'error'),
    );
    document.title = `${m.name} · sampgen audition`;
    const url = new URL(location.href);
    url.searchParams.set('model', f);
    history.replaceState(null, '', url);
    setPoint(startPoint(s, m), 'start');
  } catch (err) {
    if (mine === generation) setStatus(`cannot load ${f}: ${err instanceof Error ? err.message : String(err)}`, 'error');
  }
}

function disposeParts(p: LoadedParts | null): void {
  if (!p) return;
  (p.decoder as tf.LayersModel).dispose();
  p.encoder?.dispose();
}

els.model.addEventListener('change', () => void selectModel(els.model.value));
window.addEventListener('resize', () => drawWaveform(els.wave, decoded?.samples ?? null, meta?.sample_rate ?? 1));

async function init(): Promise<void> {
  const params = new URLSearchParams(location.search);
  backend = await initPageBackend(params.get('backend'));
  listing = await fetchModels();
  drawWaveform(els.wave, null, 1);
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
    setStatus(`no exported models in the --models folder yet${broken}: export one and reload`, 'error');
    return;
  }
  const wanted = params.get('model');
  const first = listing.models.find((m) => m.folder === wanted)?.folder ?? listing.models[0]!.folder;
  els.model.value = first;
  await selectModel(first);
}

window.addEventListener('unhandledrejection', (e) => setStatus(String(e.reason?.message ?? e.reason), 'error'));
init().catch((err: unknown) => setStatus(err instanceof Error ? err.message : String(err), 'error'));
