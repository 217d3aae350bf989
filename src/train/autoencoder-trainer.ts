import * as tf from '@tensorflow/tfjs';
import { ModelTrainer, StepContext } from './model-trainer';
import { reconstructionLoss, ReconstructionLoss } from './losses';
import { beginOptimizerStep, coversExactly, DenseChain, denseChainOf, fastStepNative, HeapScratch, inVariableOrder, mseOnlyWeight, onWasmHeap } from './native-dense-step';

/** Plain autoencoders (dense or convolutional): minimise the reconstruction error of decoder(encoder(x)). */
export class AutoencoderTrainer implements ModelTrainer {
  readonly models: Record<string, tf.LayersModel>;
  readonly optimizers: Record<string, tf.Optimizer>;
  readonly prior = null;
  readonly stepsPerUnit = 1;
  private readonly variables: tf.Variable[];
  /**
   * A dense autoencoder trained on MSE: the whole network as one chain of Dense layers, for the native step
   * (src/train/native-dense-step.ts); null for other models and losses.
   */
  private readonly chain: { layers: DenseChain; mseWeight: number } | null;

  constructor(
    private readonly encoder: tf.LayersModel,
    private readonly decoder: tf.LayersModel,
    optimizer: tf.Optimizer,
    private readonly loss: ReconstructionLoss,
  ) {
    this.models = { encoder, decoder };
    this.optimizers = { main: optimizer };
    this.variables = [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as tf.Variable);
    const encoderChain = denseChainOf(encoder);
    const decoderChain = denseChainOf(decoder);
    const mseWeight = mseOnlyWeight(loss);
    const chain = encoderChain && decoderChain ? new DenseChain([...encoderChain, ...decoderChain]) : null;
    this.chain = chain && chain.linearOutput && mseWeight !== null && coversExactly([chain], this.variables) ? { layers: chain, mseWeight } : null;
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
    const native = this.chain ? fastStepNative() : null;
    if (native && this.chain && onWasmHeap(batch) && batch.shape[1] === this.chain.layers.inputs) return this.nativeStep(native, batch, this.chain.layers, this.chain.mseWeight);
    const loss = this.optimizers.main!.minimize(() => this.lossOf(batch, true), true, this.variables);
    const value = loss!.dataSync()[0]!;
    loss!.dispose();
    return { loss: value };
  }

  /** The same step on the native kernels: gradients by hand, then the optimizer's own update. */
  private nativeStep(native: NonNullable<ReturnType<typeof fastStepNative>>, batch: tf.Tensor2D, chain: DenseChain, mseWeight: number): Record<string, number> {
    const scratch = new HeapScratch();
    try {
      const forward = chain.allocateForward(scratch, batch);
      // the chain's output buffer receives the loss's gradient (the MSE fused into the last product)
      const dOutput = forward.outputs[forward.outputs.length - 1]!;
      const backward = chain.allocateBackward(scratch, batch.shape[0], false);
      const optimizer = this.optimizers.main!;
      const adam = beginOptimizerStep(optimizer, this.variables) ?? undefined;
      const heap = scratch.heap();
      const loss = chain.forward(native, heap, scratch, forward, { target: batch, weight: mseWeight });
      chain.backward(native, heap, scratch, forward, backward, dOutput, adam);
      if (adam) adam.finish();
      else optimizer.applyGradients(inVariableOrder(chain.gradients(backward), this.variables));
      return { loss };
    } finally {
      scratch.release();
    }
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
