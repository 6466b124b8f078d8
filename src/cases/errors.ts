// The cases room's refusal: what was refused and why, and whether it was bad input (usage) or a
// rule that said no (problem). Nothing is written when one is thrown.
export class CasesError extends Error {
  override name = 'CasesError';
  constructor(
    message: string,
    /** 'usage': an unknown id, a bad option (exit 2); 'refused': a rule said no (exit 1). */
    readonly kind: 'usage' | 'refused' = 'usage',
  ) {
    super(message);
  }
}
