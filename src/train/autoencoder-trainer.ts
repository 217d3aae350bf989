import * as tf from '@tensorflow/tfjs';
import { ModelTrainer, StepContext } from './model-trainer';
import { reconstructionLoss, ReconstructionLoss } from './losses';

/** Plain autoencoders (dense or convolutional): minimise the reconstruction error of decoder(encoder(x)). */
export class AutoencoderTrainer implements ModelTrainer {
  readonly models: Record<string, tf.LayersModel>;
  readonly optimizers: Record<string, tf.Optimizer>;
  readonly prior = null;
  readonly stepsPerUnit = 1;
  private readonly variables: tf.Variable[];

  constructor(
    private readonly encoder: tf.LayersModel,
    private readonly decoder: tf.LayersModel,
    optimizer: tf.Optimizer,
    private readonly loss: ReconstructionLoss,
  ) {
    this.models = { encoder, decoder };
    this.optimizers = { main: optimizer };
    this.variables = [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  }

  exportParts(): Record<string, tf.LayersModel> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  private lossOf(batch: tf.Tensor2D, training: boolean): tf.Scalar {
    const z = this.encoder.apply(batch, { training }) as tf.Tensor;
    const y = this.decoder.apply(z, { training }) as tf.Tensor;
    return reconstructionLoss(this.loss, batch, y);
  }

  trainStep(batch: tf.Tensor2D, _ctx: StepContext): Record<string, number> {
    const loss = this.optimizers.main!.minimize(() => this.lossOf(batch, true), true, this.variables);
    const value = loss!.dataSync()[0]!;
    loss!.dispose();
    return { loss: value };
  }

  selectionLoss(validation: Record<string, number>): number {
    return validation.loss!;
  }

  evaluate(batch: tf.Tensor2D, _ctx: StepContext): Record<string, number> {
    const loss = tf.tidy(() => this.lossOf(batch, false));
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return { loss: value };
  }

  encode(batch: tf.Tensor2D): tf.Tensor2D {
    return this.encoder.predict(batch) as tf.Tensor2D;
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    for (const opt of Object.values(this.optimizers)) opt.dispose();
  }
}
