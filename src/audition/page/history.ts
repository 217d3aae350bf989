/**
 * Undo and redo of moves through the sound space: a list of states with a cursor. A state is recorded when a move
 * is finished (a release, a key, a slider let go, a drop, a random jump), not at every pointer position of a drag,
 * so that one undo takes back one gesture.
 */
export class UndoHistory<T> {
  private states: T[] = [];
  private cursor = -1;

  constructor(
    private readonly same: (a: T, b: T) => boolean,
    private readonly limit = 200,
  ) {}

  /** Records a finished move; states after the cursor (undone ones) are dropped, as in every editor. */
  push(state: T): void {
    const current = this.states[this.cursor];
    if (current !== undefined && this.same(current, state)) return;
    this.states = this.states.slice(0, this.cursor + 1);
    this.states.push(state);
    if (this.states.length > this.limit) this.states.shift();
    this.cursor = this.states.length - 1;
  }

  get canUndo(): boolean {
    return this.cursor > 0;
  }

  get canRedo(): boolean {
    return this.cursor < this.states.length - 1;
  }

  undo(): T | null {
    if (!this.canUndo) return null;
    return this.states[--this.cursor]!;
  }

  redo(): T | null {
    if (!this.canRedo) return null;
    return this.states[++this.cursor]!;
  }

  clear(): void {
    this.states = [];
    this.cursor = -1;
  }
}
