/**
 * The benchmarks measure under Node 24, the runner's runtime. `runUnderNode24(main)` runs main
 * when this Node is 24 or newer; otherwise it fetches Node 24 from the npm registry
 * (`npx -y node@24`) and re-runs this script under it with the same arguments, exiting with its
 * code.
 */
import { execFileSync, spawn } from 'node:child_process';

export async function runUnderNode24(main) {
  if (Number(process.versions.node.split('.')[0]) >= 24) {
    await main();
    return;
  }
  console.log(`Node ${process.version} is not the runner's runtime; re-running under Node 24 (npx -y node@24)…`);
  const node24 = execFileSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], { encoding: 'utf8' }).trim();
  const child = spawn(node24, process.argv.slice(1), { stdio: 'inherit' });
  child.on('close', (code) => process.exit(code ?? 1));
}
