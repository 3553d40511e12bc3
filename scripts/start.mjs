#!/usr/bin/env node
// `npm start`: the production server from a checkout, after `npm run build`. Loads .env from the
// project folder as `next start` would (variables already set win), completes the standalone
// build (static assets, public/), makes relative data folders absolute against the project
// folder, then runs the standalone server.js in this process, so SIGTERM reaches it directly.
// The container image runs the same server.js with `node server.js` (see Dockerfile).
import path from "node:path";
import { pathToFileURL } from "node:url";

import nextEnv from "@next/env";

import { prepareStandalone, standaloneEnv } from "./lib/standalone.mjs";

const root = process.cwd();
nextEnv.loadEnvConfig(root, false);
const distDir = process.env.NEXT_DIST_DIR || ".next";
const dir = prepareStandalone(distDir, root);
Object.assign(process.env, standaloneEnv(process.env, root));
process.chdir(dir);
await import(pathToFileURL(path.join(dir, "server.js")).href);
