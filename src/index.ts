/** The bundle's entry point: run the action with the real runner environment. */
import { run } from './main.js';

await run();
