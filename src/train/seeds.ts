/** The seed derivation lives in src/util (evaluation needs the training split too); re-exported for trainers. */
export { deriveSeed, SeedStream } from '../util/seeds';
