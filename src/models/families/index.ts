/**
 * The model families sampgen ships, registered in this order (the order of `model.type`'s choices). A new family
 * is one module beside these and one line here: see docs/extending.md.
 */
export { DENSE_AE } from './dense-ae';
export { CONV_AE } from './conv-ae';
export { GAN } from './gan';
export { VAE } from './vae';
export { CONV_VAE } from './conv-vae';
