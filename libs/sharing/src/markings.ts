/** FIRST TLP 2.0, written exactly so; anything else is refused. */
export const TLP_MARKINGS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type TlpMarking = (typeof TLP_MARKINGS)[number];

/** PAP rides along on indicators as a handling instruction; it does not decide who sees what. */
export const PAP_VALUES = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
export type Pap = (typeof PAP_VALUES)[number];

/** How far a marking lets an object travel: RED least, CLEAR most. */
const REACH: Readonly<Record<TlpMarking, number>> = { RED: 0, 'AMBER+STRICT': 1, AMBER: 2, GREEN: 3, CLEAR: 4 };

/** Loosening lets the object travel further than before; only the owner organisation may do it. */
export function isLoosening(from: TlpMarking, to: TlpMarking): boolean {
  return REACH[to] > REACH[from];
}

export function isTightening(from: TlpMarking, to: TlpMarking): boolean {
  return REACH[to] < REACH[from];
}
