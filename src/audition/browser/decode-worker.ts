import { answerDecodeJob, DecodeJob, DecodeReply } from '../upload-chain';

/*
 * The static site's decode worker (decode-worker.js, bundled by scripts/build-page.js): what the audition server
 * does with an upload, in the browser. A dropped file's bytes go through answerDecodeJob, the function the server's
 * worker thread runs (src/audition/decode-worker.ts): src/audio's decoders (its wasm ones loaded by
 * wasm-modules.ts) and the dataset chain with the model's parameters, so that the row, and the point the encoder
 * gives it, are those of `sampgen encode`. A worker, so that a long decode never stalls the pad; loaded on the
 * first drop only, so that the page's first load does not carry the decoders.
 */

interface WorkerScope {
  onmessage: ((event: MessageEvent<DecodeJob>) => void) | null;
  postMessage(message: DecodeReply, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
scope.onmessage = (event) => {
  void answerDecodeJob(event.data).then(({ reply, transfer }) => scope.postMessage(reply, transfer));
};
