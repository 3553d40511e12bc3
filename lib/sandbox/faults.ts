import "server-only";

import { z } from "zod";

import { hashString, mulberry32, type Rng } from "./random";
import type { SandboxFaultKind, SandboxFaultRule } from "./types";

export const FAULT_KINDS = ["5xx", "timeout", "429", "malformed", "drift", "401"] as const satisfies readonly SandboxFaultKind[];

// Strict, so a misspelt key ("afterRequest") is an error instead of a silently ignored no-op.
export const faultRuleSchema = z.strictObject({
  kind: z.enum(FAULT_KINDS),
  count: z.number().int().min(0).optional(),
  rate: z.number().min(0).max(1).optional(),
  batchId: z.string().min(1).optional(),
  afterRequests: z.number().int().min(0).optional(),
  method: z.enum(["GET", "POST", "DELETE"]).optional(),
});

export const faultRulesSchema = z.array(faultRuleSchema);

export function validateFaultRules(rules: unknown): SandboxFaultRule[] {
  const parsed = faultRulesSchema.safeParse(rules);
  if (!parsed.success) throw new Error(`Invalid sandbox fault rules: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Env format: comma-separated `kind:number`; a number below 1 is a per-request probability,
 * 1 or more is a count of requests, e.g. "5xx:0.05,timeout:0.01,429:3".
 */
export function parseFaultSpec(spec: string): SandboxFaultRule[] {
  const rules: SandboxFaultRule[] = [];
  for (const raw of spec.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const match = /^([^:\s]+)\s*:\s*(\S+)$/.exec(entry);
    const kind = FAULT_KINDS.find((k) => k === match?.[1]);
    if (!match || !kind) {
      throw new Error(`Invalid fault spec entry "${entry}": expected kind:number with kind one of ${FAULT_KINDS.join(", ")}`);
    }
    const value = Number(match[2]);
    if (!Number.isFinite(value) || value < 0 || !/^\d*\.?\d+$/.test(match[2] ?? "")) {
      throw new Error(`Invalid fault spec entry "${entry}": "${match[2]}" is not a non-negative number`);
    }
    if (value >= 1 && !Number.isInteger(value)) {
      throw new Error(`Invalid fault spec entry "${entry}": a count (>= 1) must be a whole number`);
    }
    rules.push(value < 1 ? { kind, rate: value } : { kind, count: value });
  }
  return rules;
}

export interface FiredFault {
  kind: SandboxFaultKind;
  /** How many times this rule has fired, counting this one (0-based), for deterministic variety. */
  serial: number;
}

interface RuleState {
  rule: SandboxFaultRule;
  seen: number;
  fired: number;
}

const FAULT_SEED = hashString("sandbox-faults");

export class FaultInjector {
  private states: RuleState[] = [];
  private rng: Rng = mulberry32(FAULT_SEED);

  constructor(rules: SandboxFaultRule[] = []) {
    this.setRules(rules);
  }

  setRules(rules: SandboxFaultRule[]): void {
    this.states = validateFaultRules(rules).map((rule) => ({ rule, seen: 0, fired: 0 }));
    // Reseeded with every rule set, so the same rules over the same requests fire identically.
    this.rng = mulberry32(FAULT_SEED);
  }

  /**
   * Called once per authenticated batch-endpoint request (`batchId` is absent for POST, which
   * creates one); returns the fault to inject, if any.
   */
  pick(batchId: string | undefined, method = "GET"): FiredFault | undefined {
    // Every matching rule counts the request, whether or not an earlier rule fires, so
    // `afterRequests` means "after N requests to this batch" regardless of other rules.
    const matching = this.states.filter(
      (s) => (s.rule.batchId === undefined || s.rule.batchId === batchId) && (s.rule.method === undefined || s.rule.method === method),
    );
    for (const state of matching) state.seen++;
    for (const state of matching) {
      const { rule } = state;
      if (state.seen <= (rule.afterRequests ?? 0)) continue;
      if (rule.count !== undefined && state.fired >= rule.count) continue;
      if (rule.rate !== undefined && this.rng() >= rule.rate) continue;
      state.fired++;
      return { kind: rule.kind, serial: state.fired - 1 };
    }
    return undefined;
  }
}
