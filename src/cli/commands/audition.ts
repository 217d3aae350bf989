import { Command } from 'commander';
import { startAuditionServer, exposureWarning, listModels } from '../../audition';
import { buildSite } from '../../audition/site';
import { UserError } from '../../errors';
import { contextFor } from '../context';
import { reportSite } from './site';

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UserError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * `sampgen audition`: serves the audition page and the model folders until interrupted. It opens no browser
 * (prints the URL), so that it behaves the same on a desktop, over SSH with a forwarded port, and in CI.
 */
export function register(program: Command): void {
  program
    .command('audition')
    .description(
      'Serve a web page to play, loop and explore exported models in the browser (TensorFlow.js runs in the page): ' +
        'pick a model, drag over its latent space, drop a WAV/FLAC/AIFF/MP3/Ogg/Opus file to find its point, save samples as WAV.',
    )
    .option('--models <dir>', 'folder holding exported model folders', 'models')
    .option('--port <n>', 'port to listen on (0 picks a free one)', portNumber, 8080)
    .option('--host <address>', 'address to listen on; 0.0.0.0 makes the page reachable from other machines', '127.0.0.1')
    .option('--export <dir>', 'write the page and the models as a static site into <dir> instead of serving (as `sampgen site --out <dir>`)')
    .action(async (opts: { models: string; port: number; host: string; export?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      if (opts.export !== undefined) {
        reportSite(ctx, await buildSite({ modelsDir: opts.models, out: opts.export }));
        return;
      }
      const warning = exposureWarning(opts.host);
      if (warning) ctx.warn(warning);
      const server = await startAuditionServer({ modelsDir: opts.models, host: opts.host, port: opts.port });
      const { models, broken } = listModels(opts.models);
      for (const b of broken) ctx.warn(`skipping ${b.folder}: ${b.error}`);
      if (models.length === 0) ctx.warn(`no exported models in ${opts.models} yet (the page lists them on reload)`);
      if (ctx.options.json) ctx.printJson({ url: server.url, host: server.host, port: server.port, models: models.map((m) => m.folder) });
      else ctx.print(`sampgen audition: ${models.length} model(s) from ${opts.models} at ${server.url}  (Ctrl+C stops)`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          server.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
