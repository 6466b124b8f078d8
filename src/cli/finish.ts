// How the process ends once a command has finished. Normally by leaving the event loop empty
// with the command's exit code. A read given up on because a card stopped answering still sits in
// one of libuv's threads, and Node joins those threads at exit, so neither the natural end nor
// process.exit() would ever return: after a short grace for such reads to come back, the process
// ends itself with SIGTERM's default action (exit status 143; systemd counts it as a clean stop).
import { orphanedCardOperations } from '../hash/stall.js';

const GRACE_MS = 5_000;

export async function finishProcess(code: number): Promise<void> {
  process.exitCode = code;
  const until = Date.now() + GRACE_MS;
  while (orphanedCardOperations() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const left = orphanedCardOperations();
  if (left === 0) return;
  process.stderr.write(
    `evidock: ${left} read(s) from a card that stopped answering never returned, and the process cannot exit while the kernel holds them; ending with SIGTERM (exit status 143) instead of exit ${code}. Everything above is complete.\n`,
  );
  process.removeAllListeners('SIGTERM');
  process.kill(process.pid, 'SIGTERM');
}
