import * as tf from '@tensorflow/tfjs';

/**
 * tf.fused.matMul with gradients computed only for the inputs that need one, for the wasm backend.
 *
 * WHY: tfjs-layers' Dense runs tf.fused.matMul (matMul + bias) whenever its activation is linear or is applied
 * separately (tanh, sigmoid), and while gradients are recorded tfjs wraps that op in a customGrad whose gradient
 * function computes the gradients of all its inputs at once. For a model's first layer one of them is the gradient
 * of the input batch, which nothing uses: in the big dense autoencoder a [32 × 384]·[384 × 17640] product (217 M
 * multiply-adds, the largest of the step), in the small one a third of its matrix work. Here the op is recorded as
 * the _FusedMatMul kernel itself, with a registered gradient that returns one function per input, so that tfjs'
 * backpropagation calls only those of inputs on the path to the variables. The arithmetic is tfjs' own: the same
 * kernel forward, and the same matMul products for the gradients that are taken.
 *
 * Used only while gradients are recorded, on the wasm backend, for the case the layers produce (2-D operands,
 * linear activation, no PReLU, a per-column bias or none); everything else goes to the stock op.
 */

let installed = false;

export function installLazyFusedMatMul(): void {
  if (installed) return;
  installed = true;
  tf.registerGradient({ kernelName: '_FusedMatMul', inputsToSave: ['a', 'b'], gradFunc: fusedMatMulGradient });
  const stock = tf.fused.matMul;
  const lazy = (args: FusedArgs): tf.Tensor => (takesLazyPath(args) ? lazyFusedMatMul(args, stock) : stock(args));
  (tf.fused as { matMul: typeof stock }).matMul = lazy as typeof stock;
}

type FusedArgs = Parameters<typeof tf.fused.matMul>[0];

function takesLazyPath(args: FusedArgs): args is FusedArgs & { a: tf.Tensor2D; b: tf.Tensor2D } {
  const { a, b, bias } = args;
  return (
    tf.engine().state.gradientDepth > 0 &&
    tf.getBackend() === 'wasm' &&
    (args.activation ?? 'linear') === 'linear' &&
    args.preluActivationWeights == null &&
    a instanceof tf.Tensor &&
    b instanceof tf.Tensor &&
    a.rank === 2 &&
    b.rank === 2 &&
    a.dtype === 'float32' &&
    b.dtype === 'float32' &&
    (bias == null || (bias instanceof tf.Tensor && bias.rank === 1 && bias.dtype === 'float32' && bias.shape[0] === (args.transposeB ? b.shape[0] : b.shape[1])))
  );
}

function lazyFusedMatMul(args: FusedArgs & { a: tf.Tensor2D; b: tf.Tensor2D }, stock: typeof tf.fused.matMul): tf.Tensor2D {
  const { a, b, transposeA = false, transposeB = false } = args;
  const bias = args.bias as tf.Tensor1D | null | undefined;
  const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== k2) return stock(args) as tf.Tensor2D; // never reached by the layers; tfjs reports the mismatch
  return tf.tidy(() => {
    const a3 = tf.reshape(a, [1, ...a.shape]);
    const b3 = tf.reshape(b, [1, ...b.shape]);
    const inputs: tf.NamedTensorMap = bias == null ? { a: a3, b: b3 } : { a: a3, b: b3, bias };
    const y = tf.engine().runKernel('_FusedMatMul', inputs, { transposeA, transposeB, activation: 'linear', leakyreluAlpha: 0.2 }) as tf.Tensor3D;
    return tf.reshape(y, [m, n]);
  });
}

/** The stock fused op's gradient for a linear activation (tfjs-core ops/fused/mat_mul), one function per input. */
function fusedMatMulGradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): Record<string, () => tf.Tensor> {
  const g = dy as tf.Tensor3D;
  const [a, b] = saved as [tf.Tensor3D, tf.Tensor3D];
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const mm = (x: tf.Tensor3D, y: tf.Tensor3D, tx: boolean, ty: boolean) => tf.matMul(x, y, tx, ty);
  let aDer: () => tf.Tensor;
  let bDer: () => tf.Tensor;
  if (!transposeA && !transposeB) {
    aDer = () => mm(g, b, false, true);
    bDer = () => mm(a, g, true, false);
  } else if (!transposeA && transposeB) {
    aDer = () => mm(g, b, false, false);
    bDer = () => mm(g, a, true, false);
  } else if (transposeA && !transposeB) {
    aDer = () => mm(b, g, false, true);
    bDer = () => mm(a, g, false, false);
  } else {
    aDer = () => mm(b, g, true, true);
    bDer = () => mm(g, a, true, true);
  }
  return { a: aDer, b: bDer, bias: () => tf.sum(g, [0, 1]) };
}
