/**
 * The current sample's waveform: per pixel column the minimum and maximum of the samples under it (so a
 * transient never falls between columns), mirrored around a zero line, on a fixed ±1 scale so that loud and
 * quiet decodes look as different as they sound (very quiet ones are magnified, and the label says so).
 */
export function drawWaveform(canvas: HTMLCanvasElement, samples: Float32Array | null, sampleRate: number): void {
  const rect = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(rect.width * dpr));
  const height = Math.max(1, Math.round(rect.height * dpr));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const g = canvas.getContext('2d');
  if (!g) return;
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.fillStyle = '#14171c';
  g.fillRect(0, 0, width, height);
  const mid = height / 2;
  const half = (height / 2) * 0.92;
  g.fillStyle = '#242a33';
  g.fillRect(0, Math.round(mid), width, Math.max(1, Math.round(dpr)));
  if (!samples || samples.length === 0) return;

  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]!));
  // A fixed ±1 scale, so that levels compare between decodes; a decode that overshoots it is fitted (and drawn
  // red), a very quiet one is magnified so that its shape still shows (the label says by how much).
  const scale = peak > 1 ? peak : peak > 0 && peak < 0.25 ? peak : 1;
  g.fillStyle = peak > 1 ? '#ff7a7a' : '#66b2ff';
  const perColumn = samples.length / width;
  const yOf = (v: number) => mid - (v / scale) * half;
  if (perColumn < 1) {
    // Fewer samples than pixels: a line through the samples (an envelope would be a row of dots).
    g.strokeStyle = g.fillStyle;
    g.lineWidth = 1.5 * dpr;
    g.beginPath();
    for (let i = 0; i < samples.length; i++) {
      const x = (i + 0.5) / perColumn;
      if (i === 0) g.moveTo(x, yOf(samples[i]!));
      else g.lineTo(x, yOf(samples[i]!));
    }
    g.stroke();
  } else {
    for (let x = 0; x < width; x++) {
      const a = Math.floor(x * perColumn);
      const b = Math.max(a + 1, Math.floor((x + 1) * perColumn));
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = a; i < b && i < samples.length; i++) {
        const v = samples[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (lo === Infinity) continue;
      g.fillRect(x, yOf(hi), 1, Math.max(1, yOf(lo) - yOf(hi)));
    }
  }
  const zoom = scale < 1 ? ` · shown ×${(1 / scale).toFixed(1)}` : '';
  const label = `${((1000 * samples.length) / sampleRate).toFixed(0)} ms · ${peak > 0 ? `${(20 * Math.log10(peak)).toFixed(1)} dBFS peak` : 'silent'}${zoom}`;
  g.font = `${11 * dpr}px system-ui, sans-serif`;
  g.textBaseline = 'top';
  // On a backing box, so that the label stays readable over a loud waveform.
  g.fillStyle = 'rgba(20, 23, 28, 0.85)';
  g.fillRect(2 * dpr, 2 * dpr, g.measureText(label).width + 8 * dpr, 17 * dpr);
  g.fillStyle = '#8a96a8';
  g.fillText(label, 6 * dpr, 5 * dpr);
}
