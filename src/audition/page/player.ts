/**
 * Playback through Web Audio: one-shots, the study's Loop Play, and a master volume.
 *
 * The loop is scheduled ahead on the audio clock ("a tale of two clocks"): a timer keeps the next repetition
 * queued at the exact end of the current one, each time with the latest decoded buffer. So a new sample is
 * heard from the next repetition on, the audio thread never waits for a decode, and dragging over the pad while
 * looping plays without gaps however long a decode takes.
 */

/** How far ahead the loop queues its next repetition (s): more than a timer tick, less than a noticeable lag. */
const LOOKAHEAD_S = 0.15;
const TICK_MS = 25;
/** Fade applied when a voice is cut, so that stopping mid-sample does not click. */
const FADE_S = 0.004;

interface Voice {
  source: AudioBufferSourceNode;
  gain: GainNode;
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

  get looping(): boolean {
    return this.loopTimer !== null;
  }

  /** Voices playing or queued now. */
  get active(): number {
    return this.voices.size;
  }

  setVolume(v: number): void {
    this.volume = v;
    if (this.ctx && this.master) this.master.gain.setTargetAtTime(v, this.ctx.currentTime, 0.01);
  }

  /**
   * The newest sample: the loop plays it from its next repetition, play() plays it at once. Kept as samples until
   * there is an AudioContext (one is made only on a user gesture, as browsers' autoplay rules want).
   */
  setSample(samples: Float32Array, sampleRate: number): void {
    this.latestSamples = { samples, sampleRate };
    this.latest = null;
  }

  /** The latest sample as an AudioBuffer at the model's own rate (the context resamples to the device's). */
  private latestBuffer(): AudioBuffer | null {
    if (!this.latest && this.latestSamples && this.ctx) {
      const { samples, sampleRate } = this.latestSamples;
      this.latest = this.ctx.createBuffer(1, samples.length, sampleRate);
      this.latest.getChannelData(0).set(samples);
    }
    return this.latest;
  }

  /** Plays the latest sample from its start, cutting the previous one-shot (a loop in progress goes on). */
  play(): void {
    const ctx = this.ensure();
    const buffer = this.latestBuffer();
    if (!buffer) return;
    if (this.looping) {
      // In loop mode "play" restarts the loop on the latest sample now instead of at the next repetition.
      this.stopAll();
      this.nextStart = ctx.currentTime + 0.01;
      this.tick();
      return;
    }
    this.stopAll();
    this.start(buffer, ctx.currentTime + 0.005);
  }

  setLoop(on: boolean): void {
    if (on === this.looping) return;
    if (!on) {
      window.clearInterval(this.loopTimer!);
      this.loopTimer = null;
      this.stopAll();
      return;
    }
    const ctx = this.ensure();
    this.stopAll();
    this.loopRepetitions = 0;
    this.nextStart = ctx.currentTime + 0.01;
    this.loopTimer = window.setInterval(() => this.tick(), TICK_MS);
    this.tick();
  }

  stopAll(): void {
    if (!this.ctx) return;
    const now = this.ctx.currentTime;
    for (const v of this.voices) {
      v.gain.gain.setTargetAtTime(0, now, FADE_S);
      try {
        v.source.stop(now + 10 * FADE_S);
      } catch {
        // already stopped
      }
    }
    this.voices.clear();
  }

  private tick(): void {
    const ctx = this.ctx;
    const buffer = this.latestBuffer();
    if (!ctx || !buffer) return;
    // After a stall (a background tab throttles timers) start again from now rather than piling up the past.
    if (this.nextStart < ctx.currentTime) this.nextStart = ctx.currentTime + 0.01;
    while (this.nextStart < ctx.currentTime + LOOKAHEAD_S) {
      this.start(buffer, this.nextStart);
      this.nextStart += buffer.duration;
      this.loopRepetitions++;
    }
  }

  private start(buffer: AudioBuffer, when: number): void {
    const ctx = this.ctx!;
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    const gain = ctx.createGain();
    source.connect(gain).connect(this.master!);
    const voice: Voice = { source, gain };
    source.onended = () => {
      this.voices.delete(voice);
      source.disconnect();
      gain.disconnect();
    };
    this.voices.add(voice);
    source.start(when);
  }
}
