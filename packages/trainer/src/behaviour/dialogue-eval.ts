import type { ChatMessage } from '@tunekit/core';
import { isCoherent } from './coherence.js';
import type { DialogueScenario } from './dialogue-scenarios.js';
import type { Respond } from './respond.js';

export interface TurnResult {
  readonly user: string;
  readonly answer: string;
  /** Whether the turn's check passed; absent when the turn has none. */
  readonly passed?: boolean;
  readonly coherent: boolean;
}

export interface DialogueResult {
  readonly where: string;
  readonly id: string;
  readonly turns: readonly TurnResult[];
  /** Every check of the dialogue passed (its turns' and its own); absent when it has none. */
  readonly passed?: boolean;
}

/**
 * - `turn_success_rate`: the share of checked turns whose check passed;
 * - `dialogue_success_rate`: the share of dialogues with a check whose every check passed;
 * - `coherence`: the share of all answers that `isCoherent` (not empty, not looping).
 * A rate with nothing to count is left out.
 */
export type DialogueMetrics = Partial<
  Record<'turn_success_rate' | 'dialogue_success_rate' | 'coherence', number>
> & { readonly dialogues: number; readonly turns: number };

export interface DialoguesResult {
  readonly metrics: DialogueMetrics;
  readonly dialogues: readonly DialogueResult[];
}

/**
 * Plays each scenario: the user's turns in order, each answered by the model from the whole
 * conversation so far (its earlier answers included), then checks the answers.
 */
export async function evaluateDialogues(
  scenarios: readonly DialogueScenario[],
  respond: Respond,
): Promise<DialoguesResult> {
  const dialogues: DialogueResult[] = [];
  for (const scenario of scenarios) {
    const history: ChatMessage[] = scenario.system
      ? [{ role: 'system', content: scenario.system }]
      : [];
    const turns: TurnResult[] = [];
    for (const turn of scenario.turns) {
      history.push({ role: 'user', content: turn.user });
      const answer = await respond(history);
      history.push({ role: 'assistant', content: answer });
      const passed = turn.check && (await turn.check.run(answer, turn.user));
      turns.push({
        user: turn.user,
        answer,
        ...(passed !== undefined ? { passed } : {}),
        coherent: isCoherent(answer),
      });
    }
    const own =
      scenario.check &&
      (await scenario.check.run(turns.map((t) => t.answer).join('\n'), scenario.turns[0].user));
    const verdicts = [...turns.map((t) => t.passed), own].filter((v) => v !== undefined);
    dialogues.push({
      where: scenario.where,
      id: scenario.id,
      turns,
      ...(verdicts.length > 0 ? { passed: verdicts.every(Boolean) } : {}),
    });
  }
  return { metrics: dialogueMetrics(dialogues), dialogues };
}

function dialogueMetrics(dialogues: readonly DialogueResult[]): DialogueMetrics {
  const rate = (flags: readonly (boolean | undefined)[]) => {
    const judged = flags.filter((f) => f !== undefined);
    return judged.length === 0 ? undefined : judged.filter(Boolean).length / judged.length;
  };
  const turns = dialogues.flatMap((d) => d.turns);
  const metrics = {
    turn_success_rate: rate(turns.map((t) => t.passed)),
    dialogue_success_rate: rate(dialogues.map((d) => d.passed)),
    coherence: rate(turns.map((t) => t.coherent)),
  };
  return {
    dialogues: dialogues.length,
    turns: turns.length,
    ...Object.fromEntries(Object.entries(metrics).filter(([, v]) => v !== undefined)),
  };
}
