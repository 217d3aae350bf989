import { Command } from 'commander';
import { contextFor } from '../context';
import { doctorReport, formatDoctorReport } from '../../backend/doctor';

/** `sampgen doctor`: versions, which backends load and why not, CUDA visibility, cores and memory. Always exit 0. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check the environment: Node and TF.js versions, each backend (tfjs-node-gpu, tfjs-node, wasm, cpu) with the ' +
        'reason it loads or not, CUDA visibility for tfjs-node-gpu, CPU cores and memory.',
    )
    .action(async (_options: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const report = await doctorReport();
      if (ctx.options.json) ctx.printJson(report);
      else for (const line of formatDoctorReport(report)) ctx.print(line);
    });
}
