import { PADS, Pattern, STEPS } from './sequencer';

/**
 * The drum pads and the step grid as DOM: 8 pad buttons (each names its sound, the selected one outlined) and an
 * 8 × 16 grid of step toggles with a playhead. Views only: they report clicks and show what the page tells them.
 */

export interface PadLabel {
  /** Short: the model's name and, for a conditional model, the class ("snare-small · kick"); null: empty pad. */
  title: string | null;
  /** Longer, for the tooltip (the point). */
  detail: string;
}

/** Keys that trigger the pads: 1–8 (by code, so Shift+1 still means pad 1). */
export const PAD_KEYS = ['Digit1', 'Digit2', 'Digit3', 'Digit4', 'Digit5', 'Digit6', 'Digit7', 'Digit8'];
/** MIDI notes of the pads: 36–43, a drum controller's first bank (General MIDI's bass drum upwards). */
export const PAD_NOTES = Array.from({ length: PADS }, (_, i) => 36 + i);

export class DrumPadsView {
  private buttons: HTMLButtonElement[] = [];
  private cells: HTMLButtonElement[][] = [];
  private playhead = -1;

  constructor(
    private readonly padsEl: HTMLElement,
    private readonly gridEl: HTMLElement,
    onPad: (pad: number, assign: boolean) => void,
    onCell: (pad: number, step: number) => void,
  ) {
    for (let i = 0; i < PADS; i++) {
      const b = document.createElement('button');
      b.className = 'drum-pad empty';
      b.dataset.pad = String(i);
      b.addEventListener('click', (e) => onPad(i, e.shiftKey));
      this.buttons.push(b);
    }
    padsEl.replaceChildren(...this.buttons);
    const rows: HTMLElement[] = [];
    for (let p = 0; p < PADS; p++) {
      const row = document.createElement('div');
      row.className = 'seq-row';
      row.setAttribute('role', 'row');
      const name = document.createElement('span');
      name.className = 'seq-name';
      name.textContent = String(p + 1);
      row.append(name);
      const cells: HTMLButtonElement[] = [];
      for (let s = 0; s < STEPS; s++) {
        const c = document.createElement('button');
        c.className = `seq-cell${s % 4 === 0 ? ' beat' : ''}`;
        c.setAttribute('role', 'gridcell');
        c.setAttribute('aria-label', `pad ${p + 1}, step ${s + 1}`);
        c.setAttribute('aria-pressed', 'false');
        c.dataset.pad = String(p);
        c.dataset.step = String(s);
        c.addEventListener('click', () => onCell(p, s));
        cells.push(c);
        row.append(c);
      }
      this.cells.push(cells);
      rows.push(row);
    }
    gridEl.replaceChildren(...rows);
  }

  showPads(labels: readonly PadLabel[], selected: number): void {
    labels.forEach((l, i) => {
      const b = this.buttons[i]!;
      b.classList.toggle('empty', l.title === null);
      b.classList.toggle('selected', i === selected);
      b.setAttribute('aria-pressed', String(i === selected));
      b.replaceChildren();
      const n = document.createElement('span');
      n.className = 'drum-pad-key';
      n.textContent = String(i + 1);
      const t = document.createElement('span');
      t.className = 'drum-pad-title';
      t.textContent = l.title ?? 'empty';
      b.append(n, t);
      b.title = l.title === null ? `Pad ${i + 1} is empty: click to put the current sound on it` : `Pad ${i + 1}: ${l.detail} (Shift+click: put the current sound here)`;
    });
  }

  showPattern(pattern: Pattern): void {
    pattern.forEach((row, p) =>
      row.forEach((on, s) => {
        const c = this.cells[p]![s]!;
        c.classList.toggle('on', on);
        c.setAttribute('aria-pressed', String(on));
      }),
    );
  }

  /** Lights a pad as it sounds. */
  flash(pad: number): void {
    const b = this.buttons[pad];
    if (!b) return;
    b.classList.remove('hit');
    void b.offsetWidth; // restart the animation
    b.classList.add('hit');
  }

  showPlayhead(step: number): void {
    if (step === this.playhead) return;
    for (const row of this.cells) {
      row[this.playhead]?.classList.remove('now');
      row[step]?.classList.add('now');
    }
    this.playhead = step;
  }
}
