// The heartbeat job's entry, written by scripts/build.mjs: its action.yml runs this file.
import { start } from './index.js';
await start("heartbeat");
