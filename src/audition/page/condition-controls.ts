import type { ConditionLayout } from '../../models/condition';
import { ConditionChoice, describeChoice, levelText } from './conditioning';

/**
 * The condition card of a conditional model: a class selector, a mixer (a second class and a blend slider) and a
 * velocity slider that shows the level it stands for. It only edits a ConditionChoice and reports each edit; the
 * page re-decodes the current point, as for a move on the pad. Sliders report 'slider' while dragged and 'release'
 * when let go, like the latent sliders, so that drags retrigger the sound throttled and releases at once.
 */

export type ConditionEdit = 'slider' | 'release';

export class ConditionControls {
  private layout: ConditionLayout | null = null;
  private choice: ConditionChoice | null = null;
  private classA: HTMLSelectElement | null = null;
  private classB: HTMLSelectElement | null = null;
  private blend: HTMLInputElement | null = null;
  private blendValue: HTMLOutputElement | null = null;
  private velocity: HTMLInputElement | null = null;
  private velocityValue: HTMLOutputElement | null = null;

  constructor(
    private readonly card: HTMLElement,
    private readonly container: HTMLElement,
    /** One line under the controls: the request in words ("kick 0.70 · snare 0.30 · velocity 0.80 (−11.9 dBFS)"). */
    private readonly readout: HTMLElement,
    private readonly onEdit: (choice: ConditionChoice, edit: ConditionEdit) => void,
  ) {}

  /** Builds the controls for a model's layout, or hides the card (null: an unconditional model). */
  show(layout: ConditionLayout | null, choice: ConditionChoice | null): void {
    this.container.replaceChildren();
    this.layout = layout;
    this.choice = choice ? { ...choice } : null;
    this.classA = this.classB = null;
    this.blend = this.velocity = null;
    this.blendValue = this.velocityValue = null;
    this.readout.textContent = '';
    this.card.hidden = layout === null;
    if (!layout || !choice) return;
    if (layout.classes) {
      const counts = layout.class_counts;
      const options = (select: HTMLSelectElement) =>
        select.replaceChildren(
          ...layout.classes!.map((c, i) => {
            const o = document.createElement('option');
            o.value = c;
            o.textContent = counts ? `${c} (${counts[i]})` : c;
            return o;
          }),
        );
      this.classA = document.createElement('select');
      this.classA.id = 'class';
      this.classA.setAttribute('aria-label', 'Class');
      options(this.classA);
      this.classA.addEventListener('change', () => this.edit({ classA: this.classA!.value }, 'release'));
      this.container.append(row('Class', this.classA));

      this.classB = document.createElement('select');
      this.classB.id = 'class-b';
      this.classB.setAttribute('aria-label', 'Class to blend into');
      options(this.classB);
      this.classB.addEventListener('change', () => this.edit({ classB: this.classB!.value }, 'release'));
      this.container.append(row('Mix with', this.classB));

      this.blend = range('blend', 'Blend between the two classes', 0, 1, 0.01);
      this.blendValue = output();
      this.blend.addEventListener('input', () => this.edit({ blend: Number(this.blend!.value) }, 'slider'));
      this.blend.addEventListener('change', () => this.edit({ blend: Number(this.blend!.value) }, 'release'));
      this.container.append(row('Blend', this.blend, this.blendValue));
    }
    if (layout.velocity) {
      this.velocity = range('velocity', 'Velocity', 0, 1, 0.01);
      this.velocityValue = output();
      this.velocity.title = `0: the training set's quietest attack (${levelText(layout, 0)}), 1: its loudest (${levelText(layout, 1)})`;
      this.velocity.addEventListener('input', () => this.edit({ velocity: Number(this.velocity!.value) }, 'slider'));
      this.velocity.addEventListener('change', () => this.edit({ velocity: Number(this.velocity!.value) }, 'release'));
      this.container.append(row('Velocity', this.velocity, this.velocityValue));
    }
    this.update(choice);
  }

  /** Shows a choice made elsewhere (a dropped file, a mark); reports nothing. */
  update(choice: ConditionChoice): void {
    const layout = this.layout;
    if (!layout) return;
    this.choice = { ...choice };
    if (this.classA && choice.classA !== null) this.classA.value = choice.classA;
    if (this.classB && choice.classB !== null) this.classB.value = choice.classB;
    if (this.blend && document.activeElement !== this.blend) this.blend.value = String(choice.blend);
    if (this.blendValue) this.blendValue.textContent = choice.blend.toFixed(2);
    if (this.velocity && choice.velocity !== null) {
      // A dropped file's velocity may lie outside the training range: the slider shows the nearest end, the readout the value.
      if (document.activeElement !== this.velocity) this.velocity.value = String(Math.min(1, Math.max(0, choice.velocity)));
      if (this.velocityValue) this.velocityValue.textContent = levelText(layout, choice.velocity);
    }
    this.readout.textContent = describeChoice(layout, choice);
  }

  private edit(change: Partial<ConditionChoice>, edit: ConditionEdit): void {
    if (!this.choice) return;
    const choice = { ...this.choice, ...change };
    this.update(choice);
    this.onEdit(choice, edit);
  }
}

function row(label: string, control: HTMLElement, value?: HTMLElement): HTMLElement {
  const el = document.createElement('label');
  el.className = value ? 'slider condition-row' : 'condition-row';
  const name = document.createElement('span');
  name.className = 'condition-name';
  name.textContent = label;
  el.append(name, control);
  if (value) el.append(value);
  return el;
}

function range(id: string, label: string, min: number, max: number, step: number): HTMLInputElement {
  const input = document.createElement('input');
  input.type = 'range';
  input.id = id;
  input.min = String(min);
  input.max = String(max);
  input.step = String(step);
  input.setAttribute('aria-label', label);
  return input;
}

function output(): HTMLOutputElement {
  const o = document.createElement('output');
  o.className = 'slider-value';
  return o;
}
