import { classFromName } from '../../data/label-names';
import { ConditionLayout, ConditionRequest, conditionVector, defaultClass, levelOfVelocity, velocityOfLevel } from '../../models/condition';

/**
 * What the page's condition controls ask a conditional model (sampgen.json format 2) for: a class, blended into a
 * second one by a slider, and a velocity. Pure functions of the model's condition layout, so that they are tested
 * in Node; the vector itself comes from src/models/condition.ts conditionVector, the very function training and
 * `sampgen generate` use, so the page cannot lay the condition out differently from the model.
 */

export interface ConditionChoice {
  /** The selected class (the class selector); null when the model is not conditioned on class. */
  classA: string | null;
  /** The class the mixer blends into. */
  classB: string | null;
  /** The mixer's position: weights 1 − blend for classA and blend for classB. */
  blend: number;
  /** 0…1 across the training set's level range (a dropped file's may lie outside); null without velocity. */
  velocity: number | null;
}

/**
 * Where the controls start: the training set's most common class (the CLI's default), blended into nothing yet,
 * at the middle of the level range (the CLI's default velocity, 0.5).
 */
export function initialChoice(layout: ConditionLayout): ConditionChoice {
  const classes = layout.classes;
  const classA = classes ? defaultClass(layout) : null;
  const classB = classes ? classes[(classes.indexOf(classA!) + 1) % classes.length]! : null;
  return { classA, classB, blend: 0, velocity: layout.velocity ? 0.5 : null };
}

/** The choice as the request `sampgen generate --mix … --velocity …` would make. */
export function requestOf(layout: ConditionLayout, choice: ConditionChoice): ConditionRequest {
  const request: ConditionRequest = {};
  if (layout.classes) {
    const a = choice.classA!;
    const b = choice.classB ?? a;
    const t = choice.blend;
    request.mix = b === a || t <= 0 ? { [a]: 1 } : t >= 1 ? { [b]: 1 } : { [a]: 1 - t, [b]: t };
  }
  if (layout.velocity) request.velocity = choice.velocity ?? 0.5;
  return request;
}

/** The decoder's (and encoder's) second input for a choice. */
export function vectorOf(layout: ConditionLayout, choice: ConditionChoice): Float32Array {
  return conditionVector(layout, requestOf(layout, choice));
}

/** The level in dBFS attack RMS a velocity stands for. */
export function levelText(layout: ConditionLayout, velocity: number): string {
  const db = levelOfVelocity(layout, velocity);
  return `${db < 0 ? '−' : ''}${Math.abs(db).toFixed(1)} dBFS`;
}

/** The choice in words: "snare · velocity 0.80 (−11.9 dBFS)", "kick 0.70 + snare 0.30 · velocity 0.50 (−20.0 dBFS)". */
export function describeChoice(layout: ConditionLayout, choice: ConditionChoice): string {
  const request = requestOf(layout, choice);
  const parts: string[] = [];
  if (request.mix) {
    const entries = Object.entries(request.mix);
    parts.push(entries.length === 1 ? entries[0]![0] : entries.map(([c, w]) => `${c} ${w.toFixed(2)}`).join(' + '));
  }
  if (request.velocity !== undefined) parts.push(`velocity ${request.velocity.toFixed(2)} (${levelText(layout, request.velocity)})`);
  return parts.join(' · ');
}

/**
 * A file-safe label of the choice, as src/infer/condition.ts requestLabel writes it ("snare-v0.80",
 * "kick0.30+snare0.70-v0.50"), so that saved samples say what they were asked for. Written here because that module
 * imports Node's path; test/audition/conditioning.test.ts holds the two to the same output.
 */
export function choiceLabel(layout: ConditionLayout, choice: ConditionChoice): string {
  const request = requestOf(layout, choice);
  const parts: string[] = [];
  if (request.mix) {
    const entries = Object.entries(request.mix).filter(([, w]) => w > 0);
    const total = entries.reduce((s, [, w]) => s + w, 0);
    parts.push(entries.length === 1 ? entries[0]![0] : entries.map(([c, w]) => `${c}${(w / total).toFixed(2)}`).join('+'));
  }
  if (request.velocity !== undefined) parts.push(`v${request.velocity.toFixed(2)}`);
  return parts.join('-');
}

/** A dropped file's condition, and where its class came from (for the status line). */
export interface FileCondition {
  choice: ConditionChoice;
  /** 'name': the file's name says a class the model knows; 'selection': it does not, the selected class stands in. */
  classFrom: 'name' | 'selection' | null;
  /** The class the name says when the model does not know it (e.g. clap for a kick/snare model). */
  unknownClass: string | null;
}

/**
 * The condition a dropped file is encoded with, as `sampgen encode` gives it one: its class from its name
 * (src/data/label-names.ts, the rules preprocess labels datasets with) and its velocity from its measured attack
 * level. A page gets only the file's name, not its folder; where the name says no class the model knows, the
 * class selected on the page stands in (the page's --class), and the caller says so.
 */
export function conditionOfDroppedFile(layout: ConditionLayout, current: ConditionChoice, fileName: string, attackRmsDbfs: number | null): FileCondition {
  const choice: ConditionChoice = { ...current, blend: 0 };
  let classFrom: FileCondition['classFrom'] = null;
  let unknownClass: string | null = null;
  if (layout.classes) {
    const named = classFromName(fileName);
    if (named !== null && layout.classes.includes(named)) {
      choice.classA = named;
      classFrom = 'name';
    } else {
      unknownClass = named;
      classFrom = 'selection';
    }
  }
  if (layout.velocity) {
    if (attackRmsDbfs === null || !Number.isFinite(attackRmsDbfs)) throw new Error('the server sent no level for the file, and the model is conditioned on velocity');
    choice.velocity = velocityOfLevel(layout, attackRmsDbfs);
  }
  return { choice, classFrom, unknownClass };
}
