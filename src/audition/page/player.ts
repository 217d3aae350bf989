/**
 * Playback through Web Audio: the current sound (one-shot and the study's Loop Play), the pads (played now or at a
 * step's time by the sequencer), A/B comparisons, and a master volume.
 *
 * Voices belong to a choke group (the current sound's, or a pad's): a new voice in a group fades out the one before
 * it at the moment the new one starts, as a drum machine's pad does, so that long sounds do not pile up.
 *
 * The loop is scheduled ahead on the audio clock ("a tale of two clocks"): a timer keeps the next repetition
 * queued at the exact end of the current one, each time with the latest sound. So a new sound is heard from the
 * next repetition on, the audio thread never waits for a decode, and dragging over the pad while looping plays
 * without gaps however long a decode takes.
 */

/** How far ahead the loop queues its next repetition (s): more than a timer tick, less than a noticeable lag. */
const LOOKAHEAD_S = 0.15;
const TICK_MS = 25;
/** Fade applied when a voice is cut, so that stopping mid-sample does not click. */
const FADE_S = 0.004;
/** The current sound's choke group. */
export const MAIN = 'main';

interface Voice {
  source: AudioBufferSourceNode;
  gain: GainNode;
  group: string;
  /** When it starts on the audio clock. */
  when: number;
}

export class Player {
  private ctx: AudioContext | null = null;
  private master: GainNode | null = null;
  private volume = 0.8;
  private latest: AudioBuffer | null = null;
  private latestSamples: { samples: Float32Array; sampleRate: number } | null = null;
  private voices = new Set<Voice>();
  private loopTimer: number | null = null;
  private nextStart = 0;
  /** Repetitions the loop has queued since it was switched on (for tests and the status line). */
  loopRepetitions = 0;

  /** Creates or resumes the AudioContext; call from a user gesture (autoplay policy). */
  ensure(): AudioContext {
    if (!this.ctx) {
      this.ctx = new AudioContext({ latencyHint: 'interactive' });
      this.master = this.ctx.createGain();
      this.master.gain.value = this.volume;
      this.master.connect(this.ctx.destination);
    }
    if (this.ctx.state === 'suspended') void this.ctx.resume();
    return this.ctx;
  }

  /** The audio clock (s); 0 before there is a context. */
  now(): number {
    return this.ctx?.currentTime ?? 0;
  }

  get looping(): boolean {
    return this.loopTimer !== null;
  }

  setVolume(v: number): void {
    this.volume = v;
    if (this.ctx && this.master) this.master.gain.setTargetAtTime(v, this.ctx.currentTime, 0.01);
  }

  /** Samples as an AudioBuffer at their own rate (the context resamples to the device's). */
  buffer(samples: Float32Array, sampleRate: number): AudioBuffer {
    const ctx = this.ensure();
    const b = ctx.createBuffer(1, samples.length, sampleRate);
    b.getChannelData(0).set(samples);
    return b;
  }

  /**
   * The current sound: the loop plays it from its next repetition, play() plays it at once. Kept as samples until
   * there is an AudioContext (one is made only on a user gesture, as browsers' autoplay rules want).
   */
  setSample(samples: Float32Array, sampleRate: number): void {
    this.latestSamples = { samples, sampleRate };
    this.latest = null;
  }

  private latestBuffer(): AudioBuffer | null {
    if (!this.latest && this.latestSamples && this.ctx) this.latest = this.buffer(this.latestSamples.samples, this.latestSamples.sampleRate);
    return this.latest;
  }

  /** Plays the current sound from its start, cutting the previous one-shot (a loop in progress restarts on it). */
  play(): void {
    const ctx = this.ensure();
    const buffer = this.latestBuffer();
    if (!buffer) return;
    if (this.looping) {
      this.stopGroup(MAIN);
      this.nextStart = ctx.currentTime + 0.01;
      this.tick();
      return;
    }
    this.start(buffer, ctx.currentTime + 0.005, MAIN);
  }

  /** Plays `buffer` at `when` (default: now) in choke group `group`, scaled by `gain`. */
  playBuffer(buffer: AudioBuffer, group: string, when?: number, gain = 1): void {
    const ctx = this.ensure();
    this.start(buffer, when ?? ctx.currentTime + 0.005, group, gain);
  }

  setLoop(on: boolean): void {
    if (on === this.looping) return;
    if (!on) {
      window.clearInterval(this.loopTimer!);
      this.loopTimer = null;
      this.stopGroup(MAIN);
      return;
    }
    const ctx = this.ensure();
    this.stopGroup(MAIN);
    this.loopRepetitions = 0;
    this.nextStart = ctx.currentTime + 0.01;
    this.loopTimer = window.setInterval(() => this.tick(), TICK_MS);
    this.tick();
  }

  /** Cuts every voice of `group` (all groups: null) now, with a short fade. */
  stopGroup(group: string | null): void {
    if (!this.ctx) return;
    const now = this.ctx.currentTime;
    for (const v of this.voices) {
      if (group !== null && v.group !== group) continue;
      this.fadeOut(v, now);
      this.voices.delete(v);
    }
  }

  private fadeOut(v: Voice, at: number): void {
    v.gain.gain.setTargetAtTime(0, at, FADE_S);
    try {
      v.source.stop(at + 10 * FADE_S);
    } catch {
      // already stopped
    }
  }

  private tick(): void {
    const ctx = this.ctx;
    const buffer = this.latestBuffer();
    if (!ctx || !buffer) return;
    // After a stall (a background tab throttles timers) start again from now rather than piling up the past.
    if (this.nextStart < ctx.currentTime) this.nextStart = ctx.currentTime + 0.01;
    while (this.nextStart < ctx.currentTime + LOOKAHEAD_S) {
      this.start(buffer, this.nextStart, MAIN, 1, false);
      this.nextStart += buffer.duration;
      this.loopRepetitions++;
    }
  }

  private start(buffer: AudioBuffer, when: number, group: string, level = 1, choke = true): void {
    const ctx = this.ctx!;
    if (choke) {
      // The group's earlier voices stop where this one starts (those queued later than it, e.g. by the sequencer,
      // are kept: they will choke this one in turn).
      for (const v of this.voices) {
        if (v.group !== group || v.when > when) continue;
        this.fadeOut(v, when);
        this.voices.delete(v);
      }
    }
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    const gain = ctx.createGain();
    gain.gain.value = level;
    source.connect(gain).connect(this.master!);
    const voice: Voice = { source, gain, group, when };
    source.onended = () => {
      this.voices.delete(voice);
      source.disconnect();
      gain.disconnect();
    };
    this.voices.add(voice);
    source.start(when);
  }
}
