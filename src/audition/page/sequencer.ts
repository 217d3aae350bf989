/**
 * The step sequencer: 8 pads × 16 steps (sixteenth notes) at a tempo, with optional swing, scheduled ahead on the
 * audio clock as Player's loop is ("a tale of two clocks"): a timer every TICK_MS queues every step that starts
 * within LOOKAHEAD_S, each with the pad's sound as it is then, so a pad re-rendered while the pattern plays is
 * heard from its next step on and the audio thread never waits for a decode.
 */

export const PADS = 8;
export const STEPS = 16;
export const DEFAULT_BPM = 120;
export const MIN_BPM = 40;
export const MAX_BPM = 240;
/** Swing as the MPC gives it: where the off-beat sixteenth lands within its pair, 50 (straight) to 75 % (dotted). */
export const MIN_SWING = 50;
export const MAX_SWING = 75;

const LOOKAHEAD_S = 0.12;
const TICK_MS = 25;
/** The first step starts this long after start(), so that it is queued before its time. */
const START_DELAY_S = 0.06;

/** Seconds of one sixteenth note. */
export function stepSeconds(bpm: number): number {
  return 60 / bpm / 4;
}

/**
 * When step `n` (counted from the start, across bars) begins, with the pattern started at `start` and the tempo
 * and swing unchanged since: even steps on the grid, odd ones (the off-beat sixteenths) late by
 * (2·swing/100 − 1) of a step.
 */
export function stepTime(start: number, n: number, bpm: number, swing: number): number {
  const d = stepSeconds(bpm);
  return start + n * d + (n % 2 === 1 ? swingDelay(bpm, swing) : 0);
}

export function swingDelay(bpm: number, swing: number): number {
  return (2 * clamp(swing, MIN_SWING, MAX_SWING)) / 100 * stepSeconds(bpm) - stepSeconds(bpm);
}

/** Milliseconds of one note of `division` (4: a quarter, 8: an eighth, 16: a sixteenth) at `bpm`. */
export function noteMs(bpm: number, division: number): number {
  return (60_000 / bpm) * (4 / division);
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Which pads sound on which steps: pattern[pad][step]. */
export type Pattern = boolean[][];

export function emptyPattern(): Pattern {
  return Array.from({ length: PADS }, () => Array<boolean>(STEPS).fill(false));
}

/** The pattern a session starts with, so that Start makes a sound once pads are filled: a plain four-on-the-floor beat. */
export function starterPattern(): Pattern {
  const p = emptyPattern();
  for (const s of [0, 4, 8, 12]) p[0]![s] = true; // pad 1 on the beats
  for (const s of [4, 12]) p[1]![s] = true; // pad 2 on the backbeat
  for (let s = 2; s < STEPS; s += 4) p[2]![s] = true; // pad 3 on the off-beat eighths
  return p;
}

/** What the sequencer needs of the page's audio: the clock, and a pad's sound started at a time. */
export interface StepTarget {
  now(): number;
  /** Starts pad `pad`'s current sound at `when` (s on the audio clock); returns whether the pad had one. */
  trigger(pad: number, when: number): boolean;
  /** The step now sounding (for the grid's playhead), or -1 when stopped. */
  onStep?(step: number, when: number): void;
}

export class Sequencer {
  bpm = DEFAULT_BPM;
  swing = MIN_SWING;
  pattern: Pattern = starterPattern();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** The next step to queue (counted from the start) and when it begins. */
  private nextStep = 0;
  private nextBase = 0;
  /** When the pattern started, on the audio clock (for tests), and steps queued since. */
  startedAt: number | null = null;
  queued = 0;

  constructor(private readonly target: StepTarget) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer !== null) return;
    this.startedAt = this.target.now() + START_DELAY_S;
    this.nextStep = 0;
    this.nextBase = this.startedAt;
    this.queued = 0;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.tick();
  }

  stop(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
    this.startedAt = null;
    this.target.onStep?.(-1, this.target.now());
  }

  setBpm(bpm: number): void {
    this.bpm = clamp(Math.round(bpm), MIN_BPM, MAX_BPM);
  }

  setSwing(swing: number): void {
    this.swing = clamp(swing, MIN_SWING, MAX_SWING);
  }

  toggle(pad: number, step: number): boolean {
    const row = this.pattern[pad];
    if (!row || step < 0 || step >= STEPS) return false;
    row[step] = !row[step];
    return row[step]!;
  }

  private tick(): void {
    const now = this.target.now();
    // After a stall (a background tab throttles timers) go on from now instead of playing the missed steps at once.
    if (this.nextBase < now) {
      const d = stepSeconds(this.bpm);
      const missed = Math.ceil((now - this.nextBase) / d);
      this.nextStep += missed;
      this.nextBase += missed * d;
    }
    while (this.nextBase < now + LOOKAHEAD_S) {
      const step = this.nextStep % STEPS;
      // The base advances one sixteenth at the tempo of the moment (a tempo change bends the grid from the next
      // step on); swing delays the off-beats without moving the grid.
      const when = this.nextBase + (step % 2 === 1 ? swingDelay(this.bpm, this.swing) : 0);
      for (let pad = 0; pad < PADS; pad++) {
        if (this.pattern[pad]![step]) this.target.trigger(pad, when);
      }
      this.target.onStep?.(step, when);
      this.queued++;
      this.nextStep++;
      this.nextBase += stepSeconds(this.bpm);
    }
  }
}

/** When a drag plays the sound: 'release' only when let go, else at most once per note of this division (4, 8, 16). */
export type DragPlay = 'release' | 4 | 8 | 16;

/**
 * Whether a decode that arrived for a gesture plays: presses and drags at most once per note of `mode` at the tempo
 * (never, in 'release' mode), releases and single moves (keys, a random jump) always. `sinceLastMs`: since the last play.
 */
export function playsOnDecode(gesture: 'press' | 'drag' | 'release' | 'other', mode: DragPlay, bpm: number, sinceLastMs: number): boolean {
  if (gesture === 'release' || gesture === 'other') return true;
  if (mode === 'release') return false;
  return gesture === 'press' || sinceLastMs >= noteMs(bpm, mode);
}

export function dragPlayOf(value: string): DragPlay {
  return value === '4' ? 4 : value === '16' ? 16 : value === 'release' ? 'release' : 8;
}
