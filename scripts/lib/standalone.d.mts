import type { ChildProcess } from "node:child_process";

export const STANDALONE_COMMAND: readonly ["node", "server.js"];
export function standaloneDir(distDir: string): string;
export function prepareStandalone(distDir: string, root?: string): string;
export function standaloneEnv(env: NodeJS.ProcessEnv, root?: string): NodeJS.ProcessEnv;
export function spawnStandalone(options: {
  distDir: string;
  port: number;
  host?: string;
  env: NodeJS.ProcessEnv;
  root?: string;
}): ChildProcess;
